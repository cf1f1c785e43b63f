import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { serverApi } from "@/server/api/server-caller";
import { PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/status-badge";
import { TwinWorkspace } from "@/components/twin/twin-workspace";

export async function generateMetadata({ params }: { params: Promise<{ code: string }> }) {
  return { title: `${decodeURIComponent((await params).code)} · twin` };
}

/** The digital twin of one system: the 3D unit with its live state and the what-if sliders. */
export default async function TwinPage({ params }: { params: Promise<{ code: string }> }) {
  const code = decodeURIComponent((await params).code);
  const api = await serverApi();
  const state = await api.twin.state({ systemCode: code }).catch((err: unknown) => {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/systems/${encodeURIComponent(state.system.code)}`} className="text-brand-700 hover:underline">
          ← {state.system.code}
        </Link>
      </p>
      <PageHeader
        title={`${state.system.code} · digital twin`}
        subtitle={`${state.system.model.manufacturer} ${state.system.model.name} · ${state.system.name} at ${state.system.site.name}`}
        actions={<StatusBadge status={state.system.status} />}
      />
      <TwinWorkspace initial={state} />
    </>
  );
}
