"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card } from "@/components/ui/page-header";
import { ROLE_LABELS, ROLES, type RoleName } from "@/lib/roles";

export function UsersPanel({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.admin.users.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.queryKey() });
  const create = useMutation(trpc.admin.users.create.mutationOptions({ onSuccess: invalidate }));
  const setRole = useMutation(trpc.admin.users.setRole.mutationOptions({ onSuccess: invalidate }));
  const [open, setOpen] = useState(false);

  function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    create.mutate(
      { email: String(f.get("email")), name: String(f.get("name")), role: String(f.get("role")) as RoleName, password: String(f.get("password")) },
      { onSuccess: () => { form.reset(); setOpen(false); } },
    );
  }

  return (
    <Card className="p-4">
      <div className="mb-3 flex items-center justify-between">
        <h2 className="font-semibold">Users</h2>
        <button type="button" onClick={() => setOpen((o) => !o)} className="rounded-lg bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
          {open ? "Cancel" : "Add user"}
        </button>
      </div>
      {open ? (
        <form onSubmit={onCreate} className="mb-4 grid gap-2 rounded-xl bg-slate-50 p-3 sm:grid-cols-2">
          <input name="name" required placeholder="Full name" className="rounded-lg border border-slate-300 px-3 py-2" />
          <input name="email" type="email" required placeholder="Email" className="rounded-lg border border-slate-300 px-3 py-2" />
          <select name="role" defaultValue="technician" className="rounded-lg border border-slate-300 px-3 py-2">
            {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
          </select>
          <input name="password" type="password" required minLength={10} placeholder="Initial password (10+ characters)" className="rounded-lg border border-slate-300 px-3 py-2" />
          <button type="submit" disabled={create.isPending} className="rounded-lg bg-brand-600 px-3 py-2 font-semibold text-white sm:col-span-2">
            {create.isPending ? "Creating…" : "Create user"}
          </button>
          {create.error ? <p role="alert" className="text-sm text-red-700 sm:col-span-2">{create.error.message}</p> : null}
        </form>
      ) : null}
      {users.isLoading ? <p className="text-sm text-slate-500">Loading users…</p> : null}
      {users.error ? <p role="alert" className="text-sm text-red-700">Could not load users: {users.error.message}</p> : null}
      <ul className="divide-y divide-slate-100" data-testid="users-list">
        {users.data?.map((u) => (
          <li key={u.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
            <span>
              <span className="block text-sm font-medium">{u.name}</span>
              <span className="block text-xs text-slate-500">{u.email}</span>
            </span>
            <select
              aria-label={`Role of ${u.email}`}
              value={u.role}
              disabled={u.id === currentUserId || setRole.isPending}
              onChange={(e) => setRole.mutate({ userId: u.id, role: e.target.value as RoleName })}
              className="rounded-lg border border-slate-300 px-2 py-1 text-sm"
            >
              {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
            </select>
          </li>
        ))}
      </ul>
      {setRole.error ? <p role="alert" className="mt-2 text-sm text-red-700">{setRole.error.message}</p> : null}
    </Card>
  );
}
