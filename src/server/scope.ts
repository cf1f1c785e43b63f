/**
 * Whose data a call may touch. Web requests always carry the user's organisation; the CLI runs as
 * the operator of the installation and sees every organisation (`{ all: true }`).
 */
export type Scope = { organizationId: string } | { all: true };

export function orgFilter(scope: Scope): { organizationId?: string } {
  return "all" in scope ? {} : { organizationId: scope.organizationId };
}
