import { createCallerFactory, router } from "@/server/api/trpc";
import { adminRouter } from "@/server/api/routers/admin";
import { alertsRouter } from "@/server/api/routers/alerts";
import { complianceRouter } from "@/server/api/routers/compliance";
import { controlRouter } from "@/server/api/routers/control";
import { fleetRouter } from "@/server/api/routers/fleet";
import { ingestionRouter } from "@/server/api/routers/ingestion";
import { maintenanceRouter } from "@/server/api/routers/maintenance";
import { notificationsRouter } from "@/server/api/routers/notifications";
import { predictionsRouter } from "@/server/api/routers/predictions";
import { telemetryRouter } from "@/server/api/routers/telemetry";
import { twinRouter } from "@/server/api/routers/twin";

export const appRouter = router({
  fleet: fleetRouter,
  ingestion: ingestionRouter,
  telemetry: telemetryRouter,
  alerts: alertsRouter,
  maintenance: maintenanceRouter,
  predictions: predictionsRouter,
  twin: twinRouter,
  compliance: complianceRouter,
  control: controlRouter,
  admin: adminRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller: RSC pages and tests call procedures through it, so roles are checked in one place. */
export const createCaller = createCallerFactory(appRouter);
