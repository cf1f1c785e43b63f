import { router } from "@/server/api/trpc";

// Charts and latest values for the UI (filled in with the live system page).
export const telemetryRouter = router({});
