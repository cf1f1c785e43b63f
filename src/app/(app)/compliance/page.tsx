import { TRPCError } from "@trpc/server";
import { requirePageUser } from "@/server/auth/session";
import { hasRole } from "@/lib/roles";
import { serverApi } from "@/server/api/server-caller";
import { dayStart, monthBounds } from "@/server/compliance/calendar";
import { PageHeader } from "@/components/ui/page-header";
import { ComplianceView, type ComplianceDetail } from "@/components/compliance/compliance-view";
import { pageHref, parsePageState, pickerMonth } from "@/components/compliance/page-state";

export const metadata = { title: "Compliance" };

export default async function CompliancePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const state = parsePageState(await searchParams);
  const user = await requirePageUser("viewer", pageHref(state));
  const api = await serverApi();
  const fleet = await api.compliance.fleet(state.month ? { month: state.month } : undefined);
  const now = new Date();
  const month = pickerMonth(state, fleet.map((r) => r.month), now);

  let detail: ComplianceDetail | string | null = null;
  if (state.system) {
    // without a month in the URL, the system's own current month (its site's zone)
    const systemMonth = state.month ?? fleet.find((r) => r.system.code === state.system)?.month ?? month;
    try {
      const report = await api.compliance.month({ systemCode: state.system, month: systemMonth });
      const timeZone = report.header.system.site.timeZone;
      const { start, end } = monthBounds(systemMonth, timeZone);
      const ledger = await api.compliance.events({ systemCode: state.system, from: start, to: end });
      const chartDays = report.days.map((d) => ({ t: dayStart(d.day, timeZone).getTime(), volumeM3: d.volumeM3, offSpecVolumeM3: d.offSpecVolumeM3 }));
      detail = { report, ledger, chartDays };
    } catch (err) {
      if (!(err instanceof TRPCError) || err.code !== "NOT_FOUND") throw err;
      detail = `System "${state.system}" was not found.`;
    }
  }

  return (
    <>
      <PageHeader
        title="Compliance"
        subtitle="UV disinfection within validated conditions: at least 95 % of each month's water (LT2ESWTR). Days and months follow each site's time zone."
      />
      <ComplianceView state={state} month={month} fleet={fleet} detail={detail} canRecordCalibration={hasRole(user.role, "technician")} />
    </>
  );
}
