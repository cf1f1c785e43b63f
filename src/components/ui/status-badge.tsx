const styles: Record<string, string> = {
  operating: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  commissioning: "bg-sky-50 text-sky-700 ring-sky-600/20",
  standby: "bg-slate-100 text-slate-700 ring-slate-500/20",
  maintenance: "bg-amber-50 text-amber-800 ring-amber-600/20",
  decommissioned: "bg-slate-100 text-slate-500 ring-slate-400/20",
  active: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  revoked: "bg-red-50 text-red-700 ring-red-600/20",
  failed: "bg-red-50 text-red-700 ring-red-600/20",
  removed: "bg-slate-100 text-slate-500 ring-slate-400/20",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[status] ?? styles.standby}`}>
      {status.replace(/_/g, " ")}
    </span>
  );
}
