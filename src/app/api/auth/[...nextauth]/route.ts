import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

type Handler = (req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

// Options are built per request so `next build` needs no secret or database.
const handler: Handler = async (req, ctx) => {
  const nextAuth = NextAuth(authOptions()) as unknown as Handler;
  return nextAuth(req, ctx);
};

export { handler as GET, handler as POST };
