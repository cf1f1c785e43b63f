import { describe, expect, it } from "vitest";
import { DEMO_MODELS } from "@/server/seed/demo-fleet";
import { TWIN_MODEL_URL, TWIN_NAME_KEY, TWIN_NODES, TWIN_STRUCTURE_NODES, labelNodeName, restoreTwinNodeNames, type NamedNode } from "./model-nodes";

describe("twin model node catalogue", () => {
  it("lists each component once, never under a structure node's name", () => {
    const codes = TWIN_NODES.map((n) => n.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(TWIN_STRUCTURE_NODES).toEqual(["skid", "piping"]);
    for (const name of TWIN_STRUCTURE_NODES) expect(codes).not.toContain(name);
    for (const node of TWIN_NODES) expect(node.label.trim()).not.toBe("");
    expect(TWIN_MODEL_URL).toBe("/models/treatment-unit.glb");
  });

  it("keeps the flow order pump → flow meter → filter-1 → filter-2 → UV reactor → tank", () => {
    const at = (code: string) => TWIN_NODES.findIndex((n) => n.code === code);
    const order = ["pump-1", "ft-1", "filter-1", "filter-2", "uv-1", "tank-1"].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("uses the seed's component codes and types", () => {
    const seed = new Map<string, string>();
    for (const model of DEMO_MODELS) for (const c of model.components) seed.set(c.code, c.type);
    for (const node of TWIN_NODES) expect({ code: node.code, type: seed.get(node.code) }).toEqual({ code: node.code, type: node.type });
    // What the seed has and the model does not draw, on purpose: sleeves and ballasts (inside the
    // reactor and the cabinet) and the second lamp of the two-lamp HX-20.
    const drawn = new Set(TWIN_NODES.map((n) => n.code));
    const notDrawn = [...seed.keys()].filter((code) => !drawn.has(code)).sort();
    expect(notDrawn).toEqual(["ballast-1", "ballast-2", "lamp-2", "sleeve-1", "sleeve-2"]);
  });

  it("names a component's label node `<code>:label`", () => {
    expect(labelNodeName("pump-1")).toBe("pump-1:label");
    expect(labelNodeName("uvsensor-1")).toBe("uvsensor-1:label");
  });

  it("restores the exact names the glTF loader stripped, from userData", () => {
    const node = (name: string, exact: string | undefined, children: NamedNode[] = []): NamedNode => ({ name, userData: exact === undefined ? {} : { [TWIN_NAME_KEY]: exact }, children });
    const root = node("Scene", undefined, [node("pump-1", "pump-1", [node("pump-1-mesh", "pump-1-mesh"), node("pump-1label", "pump-1:label")]), node("other", undefined)]);
    expect(restoreTwinNodeNames(root)).toBe(root);
    expect(root.name).toBe("Scene");
    const pump = root.children[0]!;
    expect(pump.children.map((c) => c.name)).toEqual(["pump-1-mesh", "pump-1:label"]);
    expect(root.children[1]!.name).toBe("other");
    restoreTwinNodeNames(root); // idempotent
    expect(pump.children[1]!.name).toBe("pump-1:label");
  });
});
