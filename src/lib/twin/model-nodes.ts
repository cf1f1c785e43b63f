/**
 * The node catalogue of the treatment unit's 3D model (`public/models/treatment-unit.glb`).
 *
 * The twin viewer finds a component's meshes by node name (the component code of the seed's system
 * models) to colour them by state, and pins live-value labels on the empty `<code>:label` node of
 * each component. `scripts/build-twin-model.ts` builds the model from this list, so the file and
 * the catalogue cannot drift apart. Browser-safe: no three.js import.
 */

export const TWIN_MODEL_URL = "/models/treatment-unit.glb";

export interface TwinNode {
  code: string;
  type: "pump" | "motor" | "vfd" | "filter" | "uv_reactor" | "uv_sensor" | "lamp" | "sensor" | "tank" | "controller";
  label: string;
}

/**
 * Every component node of the model, in flow order (pump set, discharge instruments, filters, UV
 * feed instruments, UV reactor, tank), the controller last. Codes are the seed's component codes
 * (src/server/seed/demo-fleet.ts). A system model without one of them (e.g. no UVT analyser, a
 * single filter) simply has no data for that node; the model shows the superset.
 */
export const TWIN_NODES: readonly TwinNode[] = [
  { code: "pump-1", type: "pump", label: "Booster pump" },
  { code: "motor-1", type: "motor", label: "Pump motor" },
  { code: "vfd-1", type: "vfd", label: "Variable-frequency drive" },
  { code: "pt-1", type: "sensor", label: "Discharge pressure" },
  { code: "ft-1", type: "sensor", label: "Flow meter" },
  { code: "filter-1", type: "filter", label: "Filter 1" },
  { code: "filter-2", type: "filter", label: "Filter 2" },
  { code: "tt-1", type: "sensor", label: "Water temperature" },
  { code: "turb-1", type: "sensor", label: "Turbidimeter" },
  { code: "uvt-1", type: "sensor", label: "UVT analyser" },
  { code: "uv-1", type: "uv_reactor", label: "UV reactor" },
  { code: "uvsensor-1", type: "uv_sensor", label: "UV intensity sensor" },
  { code: "lamp-1", type: "lamp", label: "UV lamp" },
  { code: "tank-1", type: "tank", label: "Treated-water tank" },
  { code: "plc-1", type: "controller", label: "Controller" },
];

/** Top-level nodes that are not components: the base frame and the process piping. */
export const TWIN_STRUCTURE_NODES: readonly string[] = ["skid", "piping"];

/** Name of the empty node, just above a component, where its floating label attaches. */
export function labelNodeName(code: string): string {
  return `${code}:label`;
}

/** The key under which every named node of the model also carries its exact name (glTF `extras`). */
export const TWIN_NAME_KEY = "twinName";

/** The part of a three.js Object3D that `restoreTwinNodeNames` needs (kept structural: no three import). */
export interface NamedNode {
  name: string;
  userData: Record<string, unknown>;
  children: readonly NamedNode[];
}

/**
 * Puts back the exact node names after loading the model with three's GLTFLoader (drei's useGLTF).
 * The loader strips the characters three reserves for animation paths (`[ ] . : /`) from node
 * names, so `pump-1:label` arrives as `pump-1label`; the build script stores every name it sets in
 * `extras.twinName` (loaded into `userData`), and this walks the tree and restores it, so
 * `getObjectByName(labelNodeName(code))` works. Returns the root for chaining; idempotent.
 */
export function restoreTwinNodeNames<T extends NamedNode>(root: T): T {
  const stack: NamedNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const exact = node.userData[TWIN_NAME_KEY];
    if (typeof exact === "string" && exact !== "") node.name = exact;
    stack.push(...node.children);
  }
  return root;
}
