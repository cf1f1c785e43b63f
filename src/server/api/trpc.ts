import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Db } from "@/server/db";
import type { SessionUser } from "@/server/auth/verify-credentials";
import { AppError } from "@/server/errors";
import { hasRole, type RoleName } from "@/lib/roles";

export interface Context {
  db: Db;
  user: SessionUser | null;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      data: {
        ...shape.data,
        // which fields were wrong, so forms can show them next to the input
        fieldErrors: zod ? zod.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

const appErrorToTrpc: Record<AppError["code"], TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  UNAVAILABLE: "INTERNAL_SERVER_ERROR",
};

// Domain code throws AppError; it is mapped to tRPC's codes here, once.
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: appErrorToTrpc[cause.code], message: cause.message, cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

function roleProcedure(required: RoleName) {
  return publicProcedure.use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
    if (!hasRole(ctx.user.role, required)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the ${required} role; you are signed in as ${ctx.user.role}.`,
      });
    }
    return next({ ctx: { ...ctx, user: ctx.user } });
  });
}

/** Any signed-in user of an organisation (viewer and up). */
export const viewerProcedure = roleProcedure("viewer");
export const technicianProcedure = roleProcedure("technician");
export const managerProcedure = roleProcedure("manager");
export const adminProcedure = roleProcedure("admin");
