// A system's component tree (fleet.system) as the work-order screens need it.

export interface TreeNode {
  code: string;
  name: string;
  type: string;
  children: readonly TreeNode[];
}

/** The tree as one list in display order, with each component's depth (for an indented select). */
export function flattenComponents<T extends TreeNode>(nodes: readonly T[], depth = 0): { node: T; depth: number }[] {
  return nodes.flatMap((n) => [{ node: n, depth }, ...flattenComponents(n.children as readonly T[], depth + 1)]);
}

/** The component with `code`, wherever it is in the tree; null when there is none. */
export function findComponent<T extends TreeNode>(nodes: readonly T[], code: string): T | null {
  for (const n of nodes) {
    if (n.code === code) return n;
    const below = findComponent(n.children as readonly T[], code);
    if (below) return below;
  }
  return null;
}
