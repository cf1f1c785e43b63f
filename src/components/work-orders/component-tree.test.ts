import { describe, expect, it } from "vitest";
import { findComponent, flattenComponents, type TreeNode } from "./component-tree";

const node = (code: string, children: TreeNode[] = []): TreeNode => ({ code, name: code.toUpperCase(), type: "other", children });
const tree = [node("pump-1", [node("motor-1", [node("vfd-1")])]), node("uv-1", [node("lamp-1"), node("sleeve-1")])];

describe("component tree", () => {
  it("lists components in display order with their depth", () => {
    expect(flattenComponents(tree).map((c) => `${c.depth}:${c.node.code}`)).toEqual(["0:pump-1", "1:motor-1", "2:vfd-1", "0:uv-1", "1:lamp-1", "1:sleeve-1"]);
    expect(flattenComponents([])).toEqual([]);
  });

  it("finds a component at any depth", () => {
    expect(findComponent(tree, "vfd-1")?.name).toBe("VFD-1");
    expect(findComponent(tree, "sleeve-1")?.code).toBe("sleeve-1");
    expect(findComponent(tree, "pump-9")).toBeNull();
  });
});
