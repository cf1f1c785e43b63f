import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { AlertsInbox } from "@/components/alerts/alerts-inbox";
import { filtersToQuery, INBOX_PAGE_SIZE, listInput, parseFilters } from "@/components/alerts/filters";

export const metadata = { title: "Alerts" };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filters = parseFilters(await searchParams);
  const query = filtersToQuery(filters);
  const user = await requirePageUser("viewer", query ? `/alerts?${query}` : "/alerts");
  const api = await serverApi();
  const [initialPage, systems] = await Promise.all([
    // a failure here is shown (and retried) by the inbox in the browser rather than as an error page
    api.alerts.list({ ...listInput(filters), limit: INBOX_PAGE_SIZE }).catch(() => null),
    api.fleet.systems(),
  ]);
  return (
    <AlertsInbox
      user={{ id: user.id, role: user.role }}
      systems={systems.map((s) => ({ code: s.code, name: s.name }))}
      initialFilters={filters}
      initialPage={initialPage}
    />
  );
}
