import { TRPCError } from "@trpc/server";
import { serverApi } from "@/server/api/server-caller";
import type { ComponentTimeline } from "@/server/maintenance/history/get-component-timeline";
import type { ComponentNode } from "@/server/fleet/get-system";

function findByCode(nodes: ComponentNode[], code: string): ComponentNode | null {
  for (const n of nodes) {
    if (n.code === code) return n;
    const hit = findByCode(n.children, code);
    if (hit) return hit;
  }
  return null;
}

/**
 * Server-side loader for <ComponentTimeline>: the component's history through the same procedure (and
 * role check) as the browser. Give the component's id, or its system code and component code. Null
 * when the component is not there for this user, so the page can call notFound().
 */
export async function loadComponentTimeline(
  ref: { componentId: string } | { systemCode: string; componentCode: string },
  range: { from?: Date; to?: Date } = {},
): Promise<ComponentTimeline | null> {
  const api = await serverApi();
  try {
    let componentId: string;
    if ("componentId" in ref) componentId = ref.componentId;
    else {
      const system = await api.fleet.system({ code: ref.systemCode });
      const node = findByCode(system.components, ref.componentCode);
      if (!node) return null;
      componentId = node.id;
    }
    return await api.maintenance.history.componentTimeline({ componentId, ...range });
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") return null;
    throw err;
  }
}
