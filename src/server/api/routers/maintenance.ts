import { router } from "@/server/api/trpc";
import { workOrdersRouter } from "@/server/api/routers/maintenance/work-orders";
import { schedulesRouter } from "@/server/api/routers/maintenance/schedules";
import { partsRouter } from "@/server/api/routers/maintenance/parts";
import { historyRouter } from "@/server/api/routers/maintenance/history";
import { reliabilityRouter } from "@/server/api/routers/maintenance/reliability";

// Each sub-router lives in its own file (routers/maintenance/*): work orders, preventive schedules,
// parts and parts requests, history (work orders x telemetry), reliability.
export const maintenanceRouter = router({
  workOrder: workOrdersRouter,
  schedule: schedulesRouter,
  parts: partsRouter,
  history: historyRouter,
  reliability: reliabilityRouter,
});
