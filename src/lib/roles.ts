// Roles of contracts.md, in increasing power. Shared by the server (enforcement) and the UI (navigation).
export const ROLES = ["viewer", "technician", "manager", "admin"] as const;
export type RoleName = (typeof ROLES)[number];

const rank: Record<RoleName, number> = { viewer: 0, technician: 1, manager: 2, admin: 3 };

export function isRole(value: unknown): value is RoleName {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when `role` may do what `required` may do. */
export function hasRole(role: RoleName, required: RoleName): boolean {
  return rank[role] >= rank[required];
}

export const ROLE_LABELS: Record<RoleName, string> = {
  viewer: "Viewer",
  technician: "Technician",
  manager: "Manager",
  admin: "Admin",
};
