import { z } from "zod";
import { hasRole } from "@/lib/roles";
import { LEVER_SPECS, leverSpec, twinLeversSchema, type ScalarLeverKey } from "@/lib/twin/levers";
import { router, technicianProcedure, viewerProcedure } from "@/server/api/trpc";
import { getTwinState } from "@/server/twin/get-twin-state";
import { deleteScenario, listScenarios, MAX_SCENARIO_NAME_LENGTH, saveScenario } from "@/server/twin/scenarios";
import { MAX_SWEEP_STEPS, MIN_SWEEP_STEPS, simulateTwin, sweepTwin } from "@/server/twin/simulate";

const systemCode = z.string().trim().min(1, "Pick a system.").max(64);
const id = z.string().trim().min(1).max(64);
const scalarLever = z.enum(LEVER_SPECS.map((s) => s.key) as [ScalarLeverKey, ...ScalarLeverKey[]], {
  error: `Pick a lever to sweep: ${LEVER_SPECS.map((s) => s.key).join(", ")}.`,
});
const scenarioName = z
  .string({ error: "Give the scenario a name." })
  .trim()
  .min(1, "Give the scenario a name.")
  .max(MAX_SCENARIO_NAME_LENGTH, `A scenario name is at most ${MAX_SCENARIO_NAME_LENGTH} characters.`);

const user = (u: { id: string; email: string; organizationId: string; role: "viewer" | "technician" | "manager" | "admin" }) => ({
  id: u.id,
  email: u.email,
  organizationId: u.organizationId,
  role: u.role,
});

// The digital twin (phase 3): the system's record with its physics and live state (everyone), what-if
// simulation, sweeps and saved scenarios (technicians and up: "run and save what-if scenarios").
export const twinRouter = router({
  state: viewerProcedure.input(z.object({ systemCode })).query(async ({ ctx, input }) => ({
    ...(await getTwinState(ctx.db, { organizationId: ctx.user.organizationId }, input.systemCode)),
    canSimulate: hasRole(ctx.user.role, "technician"),
  })),

  simulate: technicianProcedure
    .input(z.object({ systemCode, levers: twinLeversSchema }))
    .query(({ ctx, input }) => simulateTwin(ctx.db, { organizationId: ctx.user.organizationId }, input.systemCode, input.levers)),

  sweep: technicianProcedure
    .input(
      z
        .object({
          systemCode,
          levers: twinLeversSchema,
          lever: scalarLever,
          from: z.number({ error: "Enter where the sweep starts (from)." }),
          to: z.number({ error: "Enter where the sweep ends (to)." }),
          steps: z
            .number()
            .int(`Steps must be a whole number from ${MIN_SWEEP_STEPS} to ${MAX_SWEEP_STEPS}.`)
            .min(MIN_SWEEP_STEPS, `Steps must be a whole number from ${MIN_SWEEP_STEPS} to ${MAX_SWEEP_STEPS}.`)
            .max(MAX_SWEEP_STEPS, `Steps must be a whole number from ${MIN_SWEEP_STEPS} to ${MAX_SWEEP_STEPS}.`),
        })
        .superRefine((v, ctx) => {
          const spec = leverSpec(v.lever);
          for (const field of ["from", "to"] as const) {
            if (v[field] < spec.min || v[field] > spec.max) {
              ctx.addIssue({ code: "custom", path: [field], message: `${spec.label} (${spec.key}) sweeps from ${spec.min} to ${spec.max} ${spec.unit}; ${field} is ${v[field]}.` });
            }
          }
        }),
    )
    .query(({ ctx, input: { systemCode: code, ...sweep } }) => sweepTwin(ctx.db, { organizationId: ctx.user.organizationId }, code, sweep)),

  scenarios: router({
    list: viewerProcedure
      .input(z.object({ systemCode }))
      .query(({ ctx, input }) => listScenarios(ctx.db, user(ctx.user), input.systemCode)),
    save: technicianProcedure
      .input(z.object({ systemCode, name: scenarioName, levers: twinLeversSchema }))
      .mutation(({ ctx, input }) => saveScenario(ctx.db, user(ctx.user), input)),
    delete: technicianProcedure.input(z.object({ id })).mutation(({ ctx, input }) => deleteScenario(ctx.db, user(ctx.user), input.id)),
  }),
});
