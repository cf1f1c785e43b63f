import Link from "next/link";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { hasRole } from "@/lib/roles";
import { PageHeader } from "@/components/ui/page-header";
import { RulesEditor } from "@/components/alert-rules/rules-editor";

export const metadata = { title: "Alert rules" };

export default async function AlertRulesPage() {
  const user = await requirePageUser("viewer", "/alerts/rules");
  const api = await serverApi();
  const [rules, systems, metrics] = await Promise.all([api.alerts.rules.list(), api.fleet.systems(), api.ingestion.metrics()]);
  const manager = hasRole(user.role, "manager");
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/alerts" className="text-brand-700 hover:underline">
          ← Alerts
        </Link>
      </p>
      <PageHeader
        title="Alert rules"
        subtitle="What raises an alert: limits, deadbands against chattering, on- and off-delays, and severity. Changes apply at once."
        actions={
          manager ? (
            <Link href="/admin/notifications#maintenance-windows" className="text-sm font-medium text-brand-700 hover:underline">
              Maintenance windows →
            </Link>
          ) : null
        }
      />
      <RulesEditor
        initialRules={rules}
        systems={systems.map((s) => ({ code: s.code, name: s.name }))}
        metrics={metrics.map((m) => ({ key: m.key, name: m.name, unit: m.unit, minValid: m.minValid, maxValid: m.maxValid }))}
        canEdit={manager}
        isAdmin={hasRole(user.role, "admin")}
      />
    </>
  );
}
