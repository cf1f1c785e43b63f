import Link from "next/link";
import { ROLE_LABELS, isRole } from "@/lib/roles";

export const metadata = { title: "Not allowed" };

export default async function ForbiddenPage({ searchParams }: { searchParams: Promise<{ need?: string }> }) {
  const { need } = await searchParams;
  const role = isRole(need) ? ROLE_LABELS[need] : null;
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center px-4 text-center">
      <h1 className="text-2xl font-semibold">You do not have access to this page</h1>
      <p className="mt-3 text-slate-600">
        {role ? `It needs the ${role} role.` : "Your role does not include it."} Ask an administrator if you need it.
      </p>
      <Link href="/fleet" className="mt-6 rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
        Back to the fleet
      </Link>
    </main>
  );
}
