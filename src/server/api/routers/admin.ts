import { z } from "zod";
import { adminProcedure, router } from "@/server/api/trpc";
import { createUser, listUsers, setUserRole } from "@/server/users/manage-users";
import { ROLES } from "@/lib/roles";

export const adminRouter = router({
  users: router({
    list: adminProcedure.query(({ ctx }) => listUsers(ctx.db, { organizationId: ctx.user.organizationId })),
    create: adminProcedure
      .input(
        z.object({
          email: z.string().trim().email(),
          name: z.string().trim().min(1).max(120),
          role: z.enum(ROLES),
          password: z.string().min(10, "Password must have at least 10 characters.").max(256),
        }),
      )
      .mutation(({ ctx, input }) =>
        createUser(ctx.db, { organizationId: ctx.user.organizationId }, { type: "user", userId: ctx.user.id, label: ctx.user.email }, input),
      ),
    setRole: adminProcedure
      .input(z.object({ userId: z.string().min(1), role: z.enum(ROLES) }))
      .mutation(({ ctx, input }) =>
        setUserRole(ctx.db, { organizationId: ctx.user.organizationId }, { type: "user", userId: ctx.user.id, label: ctx.user.email }, input.userId, input.role),
      ),
  }),
});
