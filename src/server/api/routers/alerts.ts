import { router } from "@/server/api/trpc";

// Alert inbox and lifecycle, alert rules (filled in with the alert engine).
export const alertsRouter = router({});
