import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/server/db";
import { resolveAuthSecret } from "@/server/env/web";
import { verifyCredentials } from "./verify-credentials";

declare module "next-auth" {
  interface Session {
    user: { id: string; name: string; email: string; role: string; organizationId: string };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: string;
    organizationId?: string;
  }
}

let cached: NextAuthOptions | undefined;

/** next-auth configuration: credentials against our users table, JWT sessions (no session table to clean). */
export function authOptions(): NextAuthOptions {
  cached ??= {
    secret: resolveAuthSecret(),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials) {
          const email = credentials?.email?.trim();
          const password = credentials?.password;
          if (!email || !password) return null;
          const user = await verifyCredentials(getDb(), email, password);
          if (!user) return null;
          return { id: user.id, name: user.name, email: user.email, role: user.role, organizationId: user.organizationId };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          const u = user as typeof user & { role: string; organizationId: string };
          token.uid = u.id;
          token.role = u.role;
          token.organizationId = u.organizationId;
        }
        return token;
      },
      session({ session, token }) {
        session.user = {
          id: token.uid ?? "",
          name: token.name ?? "",
          email: token.email ?? "",
          role: token.role ?? "viewer",
          organizationId: token.organizationId ?? "",
        };
        return session;
      },
    },
  };
  return cached;
}
