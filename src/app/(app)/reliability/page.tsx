import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { PageHeader } from "@/components/ui/page-header";
import { ReliabilityView } from "@/components/reliability/reliability-view";
import { pageHref, parsePageState, periodStart } from "@/components/reliability/page-state";

export const metadata = { title: "Reliability" };

export default async function ReliabilityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const state = parsePageState(await searchParams);
  await requirePageUser("viewer", pageHref(state));
  const api = await serverApi();
  const summary = await api.maintenance.reliability.summary({ groupBy: state.by, from: periodStart(state.period, new Date()), confidence: state.confidence });
  return (
    <>
      <PageHeader title="Reliability" subtitle="MTBF, MTTR, availability and Weibull life of the fleet's components, from work orders and telemetry." />
      <ReliabilityView summary={summary} state={state} />
    </>
  );
}
