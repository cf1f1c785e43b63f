// The committed treatment-unit model, read back the way the twin viewer reads it (three's
// GLTFLoader), checked against the node contract of src/lib/twin/model-nodes.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as THREE from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TWIN_MODEL_URL, TWIN_NODES, TWIN_STRUCTURE_NODES, labelNodeName, restoreTwinNodeNames } from "@/lib/twin/model-nodes";
import { MODEL_SIZE_BUDGET_BYTES, buildTwinModel } from "./build-twin-model";

const REPO = path.resolve(import.meta.dirname, "..");
// The file the browser fetches: Next.js serves public/ at the site root.
const COMMITTED = path.join(REPO, "public", TWIN_MODEL_URL);
const CODES = TWIN_NODES.map((n) => n.code);
const TOP_LEVEL = [...TWIN_STRUCTURE_NODES, ...CODES];

/** The glTF JSON chunk of a .glb, read by hand (header: magic, version, length; then chunk length, type). */
function glbJson(bytes: Buffer): { nodes: { name?: string; children?: number[] }[]; scenes: { nodes: number[] }[]; materials: { name?: string }[] } {
  expect(bytes.readUInt32LE(0)).toBe(0x46546c67); // "glTF"
  expect(bytes.readUInt32LE(4)).toBe(2);
  expect(bytes.readUInt32LE(8)).toBe(bytes.byteLength);
  expect(bytes.readUInt32LE(16)).toBe(0x4e4f534a); // "JSON"
  return JSON.parse(bytes.subarray(20, 20 + bytes.readUInt32LE(12)).toString("utf8"));
}

function load(bytes: Buffer): Promise<THREE.Group> {
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new Promise((resolve, reject) => new GLTFLoader().parse(data, "", (gltf) => resolve(gltf.scene), reject));
}

function meshesOf(node: THREE.Object3D): THREE.Mesh[] {
  const out: THREE.Mesh[] = [];
  node.traverse((o) => {
    if ((o as THREE.Mesh).isMesh) out.push(o as THREE.Mesh);
  });
  return out;
}

function meshBox(node: THREE.Object3D): THREE.Box3 {
  const box = new THREE.Box3();
  for (const mesh of meshesOf(node)) box.expandByObject(mesh);
  return box;
}

function triangles(mesh: THREE.Mesh): number {
  const g = mesh.geometry;
  return (g.index ? g.index.count : g.getAttribute("position").count) / 3;
}

let bytes: Buffer;
let raw: ReturnType<typeof glbJson>;
let unit: THREE.Group;
let strippedNames: string[];
const top = (name: string) => unit.children.find((c) => c.name === name)!;

beforeAll(async () => {
  bytes = fs.readFileSync(COMMITTED);
  raw = glbJson(bytes);
  const loaded = await load(bytes);
  strippedNames = [];
  loaded.traverse((o) => strippedNames.push(o.name));
  unit = restoreTwinNodeNames(loaded);
  unit.updateMatrixWorld(true);
});

describe("public/models/treatment-unit.glb", () => {
  it("is the file the viewer loads, and under the 400 KB budget", () => {
    expect(MODEL_SIZE_BUDGET_BYTES).toBe(400 * 1024);
    expect(bytes.byteLength).toBeGreaterThan(10 * 1024); // a real model, not an empty scene
    expect(bytes.byteLength).toBeLessThan(400 * 1024);
  });

  it("names every component, its label and the structure nodes exactly in the glTF nodes", () => {
    const names = raw.nodes.map((n) => n.name);
    for (const name of [...TOP_LEVEL, ...CODES.map(labelNodeName)]) expect(names, name).toContain(name);
    const roots = raw.scenes[0]!.nodes.map((i) => raw.nodes[i]!.name);
    expect([...roots].sort()).toEqual([...TOP_LEVEL].sort());
  });

  it("loads with GLTFLoader, whose stripped label names restoreTwinNodeNames puts back", () => {
    // Why the restore exists: the loader drops ':' from node names.
    expect(strippedNames).toContain("pump-1label");
    expect(strippedNames).not.toContain("pump-1:label");
    expect(unit.children.map((c) => c.name).sort()).toEqual([...TOP_LEVEL].sort());
    expect(unit.getObjectByName(labelNodeName("uv-1"))).toBeDefined();
  });

  it("gives every component at least one mesh and an empty label node just above it", () => {
    for (const code of CODES) {
      const node = top(code);
      const meshes = meshesOf(node);
      expect(meshes.length, code).toBeGreaterThan(0);
      expect(meshes.reduce((n, m) => n + triangles(m), 0), code).toBeGreaterThan(0);

      const label = node.children.find((c) => c.name === labelNodeName(code));
      expect(label, `${code}: label child`).toBeDefined();
      expect((label as THREE.Mesh).isMesh ?? false).toBe(false);
      expect(label!.children).toHaveLength(0);
      const at = label!.getWorldPosition(new THREE.Vector3());
      const box = meshBox(node);
      expect(at.y, `${code}: label height`).toBeGreaterThan(box.max.y);
      expect(at.y, `${code}: label height`).toBeLessThan(box.max.y + 0.3);
      expect(box.clone().expandByScalar(0.2).containsPoint(new THREE.Vector3(at.x, box.max.y, at.z)), `${code}: label over the component`).toBe(true);
    }
    for (const name of TWIN_STRUCTURE_NODES) expect(meshesOf(top(name)).length, name).toBeGreaterThan(0);
  });

  it("gives every node a PBR material of its own, named <node>-material", () => {
    const owner = new Map<THREE.Material, string>();
    for (const name of TOP_LEVEL) {
      for (const mesh of meshesOf(top(name))) {
        for (const material of [mesh.material].flat()) {
          expect((material as THREE.MeshStandardMaterial).isMeshStandardMaterial, name).toBe(true);
          expect(material.name).toBe(`${name}-material`);
          expect(owner.get(material) ?? name, `material ${material.name} shared`).toBe(name);
          owner.set(material, name);
        }
      }
    }
    expect(owner.size).toBe(TOP_LEVEL.length);
    expect(new Set(raw.materials.map((m) => m.name)).size).toBe(raw.materials.length);
    const lamp = [...owner].find(([, n]) => n === "lamp-1")![0] as THREE.MeshStandardMaterial;
    expect(lamp.emissive.getHex()).not.toBe(0); // the lamp glows
  });

  it("puts the lamp inside the UV reactor, along its axis", () => {
    const reactor = meshBox(top("uv-1"));
    const lamp = meshBox(top("lamp-1"));
    expect(reactor.containsBox(lamp)).toBe(true);
    const reactorLength = reactor.max.x - reactor.min.x;
    expect(lamp.max.x - lamp.min.x).toBeGreaterThan(reactorLength / 2); // a tube, not a dot
    const zMid = (reactor.min.z + reactor.max.z) / 2; // the shell is symmetric about its axis in Z
    expect(Math.abs((lamp.min.z + lamp.max.z) / 2 - zMid)).toBeLessThan(0.01);
  });

  it("is the size of the unit: about 2.6 m × 1.9 m × 1.2 m, standing on the origin", () => {
    const box = meshBox(unit);
    const size = box.getSize(new THREE.Vector3());
    expect(size.x).toBeGreaterThan(2.5);
    expect(size.x).toBeLessThanOrEqual(2.65);
    expect(size.y).toBeGreaterThan(1.8);
    expect(size.y).toBeLessThanOrEqual(1.95);
    expect(size.z).toBeGreaterThan(1.1);
    expect(size.z).toBeLessThanOrEqual(1.25);
    expect(Math.abs(box.min.y)).toBeLessThan(0.001); // Y up, floor at 0
    const centre = box.getCenter(new THREE.Vector3());
    expect(Math.abs(centre.x)).toBeLessThan(0.05);
    expect(Math.abs(centre.z)).toBeLessThan(0.05);
  });

  it("lays the process out left to right in flow order", () => {
    const x = (code: string) => meshBox(top(code)).getCenter(new THREE.Vector3()).x;
    const order = ["pump-1", "ft-1", "filter-1", "filter-2", "uv-1", "tank-1"].map(x);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe("scripts/build-twin-model.ts", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "twin-model-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("rebuilds the committed model: same nodes, materials and triangles", async () => {
    const out = path.join(dir, "nested", "unit.glb");
    const stats = await buildTwinModel(out);
    const rebuilt = fs.readFileSync(out);
    expect(stats.bytes).toBe(rebuilt.byteLength);
    expect(stats.bytes).toBeLessThan(MODEL_SIZE_BUDGET_BYTES);

    const json = glbJson(rebuilt);
    expect(json.nodes.map((n) => n.name)).toEqual(raw.nodes.map((n) => n.name));
    expect(json.materials.map((m) => m.name)).toEqual(raw.materials.map((m) => m.name));
    expect(stats.nodes).toBe(raw.nodes.length);

    const committedTriangles = meshesOf(unit).reduce((n, m) => n + triangles(m), 0);
    expect(stats.triangles).toBe(committedTriangles); // the committed file is current
    expect(globalThis.FileReader).toBeUndefined(); // the exporter's shim is gone again
  });
});
