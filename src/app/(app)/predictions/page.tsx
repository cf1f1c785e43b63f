import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { hasRole } from "@/lib/roles";
import { PredictionsView } from "@/components/predictions/predictions-view";

export const metadata = { title: "Predictions" };

export default async function PredictionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).system;
  const system = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, 64) || null;
  const user = await requirePageUser("viewer", system ? `/predictions?system=${encodeURIComponent(system)}` : "/predictions");
  const api = await serverApi();
  const [latest, systems, riskModel] = await Promise.all([
    // an unknown system or a failure is shown (and retried) by the list in the browser rather than as an error page
    api.predictions.latest(system ? { systemCode: system } : undefined).catch(() => null),
    api.fleet.systems(),
    // the model card renders with the page instead of "Loading…"; a failure is retried in the browser
    api.predictions.riskModel().catch(() => null),
  ]);
  return (
    <PredictionsView
      initialSystem={system}
      initial={latest}
      initialRiskModel={riskModel}
      systems={systems.map((s) => ({ code: s.code, name: s.name, inService: s.status !== "decommissioned" }))}
      canRun={hasRole(user.role, "manager")}
    />
  );
}
