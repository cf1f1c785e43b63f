/**
 * Builds the treatment unit's 3D model, `public/models/treatment-unit.glb`, from three.js geometry
 * (there is no internet to fetch a model from, and no textures: PBR colours only).
 *
 *   npm run twin:model [-- --out <file.glb>]
 *
 * The unit is a skid-mounted packaged unit of about 10 m³/h: metres, Y up, origin at the centre of
 * the skid's floor, about 2.6 m (X) × 1.2 m (Z) × 1.9 m (Y), water flowing left to right (−X to +X)
 * along the front of the skid: suction → booster pump → pt-1/ft-1 → filter-1 → filter-2 →
 * tt-1/turb-1/uvt-1 → UV reactor → tank (back right); drive and controller cabinet at the back.
 *
 * Node contract (src/lib/twin/model-nodes.ts, what the twin viewer relies on): one top-level node
 * per entry of TWIN_NODES, named by the component code, holding one mesh and an empty
 * `<code>:label` child just above it, plus `skid` and `piping`. Each of those nodes has a material
 * of its own, `<node>-material`, so the viewer can tint one component without tinting another.
 * The pieces of a node are merged into one mesh: one draw call per component keeps the phone's
 * first render of the twin page cheap. Every name set here is also stored in `extras.twinName`,
 * because three's GLTFLoader strips `:` from node names (see restoreTwinNodeNames).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as THREE from "three";
import { GLTFExporter } from "three/examples/jsm/exporters/GLTFExporter.js";
import { mergeGeometries, mergeVertices } from "three/examples/jsm/utils/BufferGeometryUtils.js";
import { TWIN_NAME_KEY, TWIN_NODES, TWIN_STRUCTURE_NODES, labelNodeName, type TwinNode } from "@/lib/twin/model-nodes";

/** Where the committed model lives. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL("../public/models/treatment-unit.glb", import.meta.url));
/** The model must stay small: the twin page has a 2.5 s cold first-render budget on a phone. */
export const MODEL_SIZE_BUDGET_BYTES = 400 * 1024;

type V3 = readonly [number, number, number];
type Axis = "x" | "y" | "z";

// ---------------------------------------------------------------------------------------------
// Layout. Positions shared by two nodes (a nozzle and the pipe that meets it) are named once here,
// so the piping always ends on the component's flange.

const SKID_TOP = 0.11; // top of the deck plate
const LINE_Z = 0.25; // the process line runs along the front of the skid
const LABEL_GAP = 0.1; // label anchors sit this far above a component's top
/** Label anchors moved off the default spot: the pump's top is under its motor, so its label sits in front. */
const LABEL_SHIFT: Record<string, V3> = { "pump-1": [0, 0, 0.18] };

const PIPE_R = 0.024; // DN40 stainless
const BEND_R = 0.06; // elbow centre-line radius
const PIPE_FLANGE_R = 0.045;
const FLANGE_T = 0.015;

const PUMP_X = -0.98;
const PUMP_NOZZLE_Y = SKID_TOP + 0.105; // in-line suction and discharge in the pump's base casting
const PUMP_NOZZLE_END = 0.15; // flange faces at PUMP_X ± this
const RISER_X = -0.68; // the discharge riser carrying ft-1

const FILTER_X: Record<string, number> = { "filter-1": -0.42, "filter-2": -0.03 };
const FILTER_R = 0.11;
const FILTER_NOZZLE_Y = 0.87; // inlet and outlet in the filter head
const FILTER_NOZZLE_END = 0.16;

const UV_X0 = 0.32; // reactor shell from X0 to X1
const UV_X1 = 0.88;
const UV_Y = 0.55;
const UV_R = 0.085;
const UV_IN_X = 0.4;
const UV_OUT_X = 0.8;
const UV_NOZZLE_TOP = 0.725;

const TANK_X = 1.0;
const TANK_Z = -0.22;
const TANK_R = 0.28;
const TANK_INLET_Y = 1.45;
const TANK_INLET_END_Z = TANK_Z + 0.34;

const VFD_X = -1.12;
const VFD_Z = -0.4;

// ---------------------------------------------------------------------------------------------
// Geometry helpers. Each returns an indexed BufferGeometry in unit (world) coordinates.

const UP = new THREE.Vector3(0, 1, 0);

function orient(geometry: THREE.BufferGeometry, axis: Axis): THREE.BufferGeometry {
  if (axis === "x") geometry.rotateZ(-Math.PI / 2);
  if (axis === "z") geometry.rotateX(Math.PI / 2);
  return geometry;
}

/** A cylinder of `length` along `axis`, centred on `centre`; `rEnd` tapers it towards +axis. */
function cylinder(r: number, length: number, centre: V3, axis: Axis = "y", segments = 16, rEnd = r): THREE.BufferGeometry {
  return orient(new THREE.CylinderGeometry(rEnd, r, length, segments), axis).translate(...centre);
}

/** A cylinder from point a to point b, at any angle; `open` leaves out the end discs (hidden by elbows and flanges). */
function rod(a: V3, b: V3, r: number, segments = 12, open = false): THREE.BufferGeometry {
  const from = new THREE.Vector3(...a);
  const span = new THREE.Vector3(...b).sub(from);
  const length = span.length();
  if (length < 1e-6) throw new Error(`rod from (${a.join(", ")}) to (${b.join(", ")}) has no length`);
  const rotation = new THREE.Quaternion().setFromUnitVectors(UP, span.clone().normalize());
  const middle = from.clone().addScaledVector(span, 0.5);
  const geometry = new THREE.CylinderGeometry(r, r, length, segments, 1, open);
  return geometry.applyMatrix4(new THREE.Matrix4().compose(middle, rotation, new THREE.Vector3(1, 1, 1)));
}

function box(size: V3, centre: V3): THREE.BufferGeometry {
  return new THREE.BoxGeometry(...size).translate(...centre);
}

/** A half ellipsoid (a dished head): base circle of radius r at `base`, `height` up (or down). */
function dome(r: number, height: number, base: V3, up = true, segments = 16, rings = 5): THREE.BufferGeometry {
  const geometry = new THREE.SphereGeometry(r, segments, rings, 0, Math.PI * 2, up ? 0 : Math.PI / 2, Math.PI / 2);
  return geometry.scale(1, height / r, 1).translate(...base);
}

function sphere(r: number, centre: V3, segments = 10, rings = 6): THREE.BufferGeometry {
  return new THREE.SphereGeometry(r, segments, rings).translate(...centre);
}

/** A flat band around `axis` (a clamp or a stiffener): a short open cylinder, a quarter of a torus's triangles. */
function band(r: number, width: number, centre: V3, axis: Axis, segments = 24): THREE.BufferGeometry {
  return orient(new THREE.CylinderGeometry(r, r, width, segments, 1, true), axis).translate(...centre);
}

/**
 * A 90° elbow at `corner` of a pipe coming in along `dirIn` and leaving along `dirOut`. The torus
 * arc (XY plane, from +X to +Y around the origin) is mapped so that its start meets the incoming
 * pipe `bend` before the corner and its end the outgoing pipe `bend` after it: local X → −dirOut,
 * local Y → dirIn, local Z → dirIn × dirOut (a proper rotation), centre at corner − dirIn·bend +
 * dirOut·bend.
 */
function elbow(corner: THREE.Vector3, dirIn: THREE.Vector3, dirOut: THREE.Vector3, bend: number, r: number, segments: number): THREE.BufferGeometry {
  if (Math.abs(dirIn.dot(dirOut)) > 1e-6) throw new Error(`elbow at (${corner.toArray().join(", ")}) is not 90°: pipe runs must turn at right angles`);
  const x = dirOut.clone().negate();
  const z = dirIn.clone().cross(dirOut);
  const basis = new THREE.Matrix4().makeBasis(x, dirIn, z);
  const centre = corner.clone().addScaledVector(dirIn, -bend).addScaledVector(dirOut, bend);
  basis.setPosition(centre);
  return new THREE.TorusGeometry(bend, r, segments, 4, Math.PI / 2).applyMatrix4(basis);
}

/** A pipe through `points` (axis-aligned legs) with an elbow at every inner corner. */
function pipeRun(name: string, points: readonly V3[], r: number, bend: number, segments = 12): THREE.BufferGeometry[] {
  const parts: THREE.BufferGeometry[] = [];
  const p = points.map((q) => new THREE.Vector3(...q));
  for (let i = 0; i + 1 < p.length; i++) {
    const a = p[i]!;
    const b = p[i + 1]!;
    const dir = b.clone().sub(a).normalize();
    const trimStart = i > 0 ? bend : 0;
    const trimEnd = i + 2 < p.length ? bend : 0;
    const straight = a.distanceTo(b) - trimStart - trimEnd;
    if (straight < 0) throw new Error(`pipe run ${name}: leg ${i + 1} is ${a.distanceTo(b).toFixed(3)} m, shorter than its elbows need (${(trimStart + trimEnd).toFixed(3)} m)`);
    if (straight > 1e-6) {
      const from = a.clone().addScaledVector(dir, trimStart);
      const to = b.clone().addScaledVector(dir, -trimEnd);
      parts.push(rod(from.toArray(), to.toArray(), r, segments, i > 0 && i + 2 < p.length));
    }
    if (i + 2 < p.length) parts.push(elbow(b, dir, p[i + 2]!.clone().sub(b).normalize(), bend, r, segments));
  }
  return parts;
}

/** A flange disc of thickness FLANGE_T whose face sits at `face`, extending along `towards` (a unit axis vector). */
function flange(face: V3, towards: V3, r: number, segments = 14): THREE.BufferGeometry {
  const centre: V3 = [face[0] + towards[0] * FLANGE_T * 0.5, face[1] + towards[1] * FLANGE_T * 0.5, face[2] + towards[2] * FLANGE_T * 0.5];
  const axis: Axis = towards[0] !== 0 ? "x" : towards[1] !== 0 ? "y" : "z";
  return cylinder(r, FLANGE_T, centre, axis, segments);
}

/** Merges a node's pieces into one geometry (normals kept, UVs dropped: there are no textures). */
function mergeParts(name: string, parts: THREE.BufferGeometry[]): THREE.BufferGeometry {
  if (parts.length === 0) throw new Error(`node ${name} has no geometry`);
  for (const part of parts) {
    if (!part.index) throw new Error(`node ${name}: a piece has no index (merge needs indexed geometry throughout)`);
    part.deleteAttribute("uv");
  }
  const merged = mergeGeometries(parts, false);
  if (!merged) throw new Error(`node ${name}: its pieces could not be merged (mismatched attributes)`);
  for (const part of parts) part.dispose();
  // three's cylinders repeat the centre of a cap once per segment and the vertices of the seam;
  // welding vertices equal in position and normal drops them without changing the shading.
  const welded = mergeVertices(merged, 1e-5);
  merged.dispose();
  welded.name = `${name}-mesh`;
  return welded;
}

// ---------------------------------------------------------------------------------------------
// Materials: PBR colours, one material per node.

interface Finish {
  color: number;
  metalness: number;
  roughness: number;
  emissive?: number;
}

const STAINLESS: Finish = { color: 0xc3cad1, metalness: 0.85, roughness: 0.3 };

const FINISH: Record<string, Finish> = {
  skid: { color: 0x3d4a55, metalness: 0.35, roughness: 0.6 }, // painted steel
  piping: { color: 0xb8c0c8, metalness: 0.85, roughness: 0.32 },
  "pump-1": { color: 0x1f5fa8, metalness: 0.3, roughness: 0.45 },
  "motor-1": { color: 0x3b4046, metalness: 0.45, roughness: 0.5 },
  "vfd-1": { color: 0xb7c0c9, metalness: 0.15, roughness: 0.55 },
  "pt-1": { color: 0xaeb6bf, metalness: 0.8, roughness: 0.35 },
  "ft-1": { color: 0x5f7489, metalness: 0.35, roughness: 0.45 },
  "filter-1": { color: 0xd3e3f0, metalness: 0.05, roughness: 0.35 }, // white/light blue plastic housings
  "filter-2": { color: 0xd3e3f0, metalness: 0.05, roughness: 0.35 },
  "tt-1": { color: 0xa9b2bb, metalness: 0.7, roughness: 0.4 },
  "turb-1": { color: 0xb8c4cf, metalness: 0.1, roughness: 0.5 },
  "uvt-1": { color: 0xb8c4cf, metalness: 0.1, roughness: 0.5 },
  "uv-1": STAINLESS,
  "uvsensor-1": { color: 0x8d99a6, metalness: 0.7, roughness: 0.4 },
  "lamp-1": { color: 0xc9bcff, metalness: 0, roughness: 0.2, emissive: 0x6f55ff }, // the violet glow of a UV-C lamp
  "tank-1": { color: 0xc9d6e1, metalness: 0.25, roughness: 0.45 },
  "plc-1": { color: 0xced3d8, metalness: 0.15, roughness: 0.55 }, // light grey, about RAL 7035
};

function materialFor(node: string): THREE.MeshStandardMaterial {
  const finish = FINISH[node];
  if (!finish) throw new Error(`no material finish defined for twin node ${node}`);
  const material = new THREE.MeshStandardMaterial({ color: finish.color, metalness: finish.metalness, roughness: finish.roughness });
  if (finish.emissive !== undefined) {
    material.emissive.setHex(finish.emissive);
    material.emissiveIntensity = 1;
  }
  material.name = `${node}-material`;
  return material;
}

// ---------------------------------------------------------------------------------------------
// Components. Each builder returns the pieces of one node in unit coordinates.

type Builder = () => THREE.BufferGeometry[];

function pump(): THREE.BufferGeometry[] {
  const x = PUMP_X;
  const z = LINE_Z;
  const parts = [
    box([0.28, 0.04, 0.24], [x, SKID_TOP + 0.02, z]), // foot
    cylinder(0.1, 0.13, [x, PUMP_NOZZLE_Y, z], "y", 20), // base casting with the in-line ports
    cylinder(0.075, 0.38, [x, 0.47, z], "y", 20), // stage stack sleeve
    cylinder(0.095, 0.05, [x, 0.685, z], "y", 20), // top head
    cylinder(0.07, 0.08, [x, 0.75, z], "y", 16, 0.09), // motor stool
  ];
  for (const side of [-1, 1]) {
    parts.push(rod([x + side * 0.08, PUMP_NOZZLE_Y, z], [x + side * (PUMP_NOZZLE_END - FLANGE_T), PUMP_NOZZLE_Y, z], 0.035, 12));
    parts.push(flange([x + side * PUMP_NOZZLE_END, PUMP_NOZZLE_Y, z], [-side, 0, 0], 0.055));
  }
  for (let k = 0; k < 4; k++) {
    const a = Math.PI / 4 + (k * Math.PI) / 2; // tie rods between base and head
    const dx = 0.088 * Math.cos(a);
    const dz = 0.088 * Math.sin(a);
    parts.push(rod([x + dx, 0.28, z + dz], [x + dx, 0.66, z + dz], 0.008, 6));
  }
  return parts;
}

function motor(): THREE.BufferGeometry[] {
  const x = PUMP_X;
  const z = LINE_Z;
  const parts = [
    cylinder(0.112, 0.025, [x, 0.8025, z], "y", 24), // mounting flange
    cylinder(0.1, 0.27, [x, 0.95, z], "y", 24), // frame
    cylinder(0.096, 0.09, [x, 1.13, z], "y", 24), // fan cowl
    dome(0.096, 0.03, [x, 1.175, z], true, 24, 3),
    box([0.09, 0.07, 0.08], [x, 0.98, z + 0.1 + 0.035]), // terminal box, facing front
  ];
  for (let k = 0; k < 12; k++) {
    const a = (k * Math.PI) / 6 + Math.PI / 12; // cooling fins
    const fin = new THREE.BoxGeometry(0.022, 0.24, 0.006).translate(0.1 + 0.008, 0, 0).rotateY(a);
    parts.push(fin.translate(x, 0.95, z));
  }
  return parts;
}

function vfd(): THREE.BufferGeometry[] {
  const boxZ = VFD_Z + 0.025 + 0.075;
  return [
    box([0.14, 0.015, 0.14], [VFD_X, SKID_TOP + 0.0075, VFD_Z]), // base plate
    box([0.05, 1.0, 0.05], [VFD_X, SKID_TOP + 0.5, VFD_Z]), // post
    box([0.22, 0.34, 0.15], [VFD_X, 1.07, boxZ]), // drive
    box([0.08, 0.1, 0.012], [VFD_X, 1.14, boxZ + 0.075 + 0.006]), // keypad
    box([0.18, 0.03, 0.12], [VFD_X, 0.885, boxZ]), // gland plate
  ];
}

function pressureTransmitter(): THREE.BufferGeometry[] {
  const x = PUMP_X + PUMP_NOZZLE_END + 0.055;
  const top = PUMP_NOZZLE_Y + PIPE_R;
  return [
    cylinder(0.014, 0.02, [x, top, LINE_Z], "y", 10), // boss welded on the discharge pipe
    rod([x, top + 0.01, LINE_Z], [x, top + 0.06, LINE_Z], 0.008, 8),
    box([0.03, 0.03, 0.03], [x, top + 0.075, LINE_Z]), // isolation valve block
    cylinder(0.022, 0.1, [x, top + 0.14, LINE_Z], "y", 14),
    dome(0.022, 0.012, [x, top + 0.19, LINE_Z], true, 14, 3),
  ];
}

function flowMeter(): THREE.BufferGeometry[] {
  const y = 0.49;
  return [
    cylinder(0.042, 0.14, [RISER_X, y, LINE_Z], "y", 20), // magnetic flow tube
    flange([RISER_X, y - 0.07 - 0.008, LINE_Z], [0, 1, 0], 0.058, 20),
    flange([RISER_X, y + 0.07 - 0.007, LINE_Z], [0, 1, 0], 0.058, 20),
    rod([RISER_X, y, LINE_Z + 0.04], [RISER_X, y, LINE_Z + 0.085], 0.015, 10), // neck
    cylinder(0.045, 0.05, [RISER_X, y, LINE_Z + 0.105], "z", 20), // transmitter head
  ];
}

function filterHousing(code: string): Builder {
  return () => {
    const x = FILTER_X[code];
    if (x === undefined) throw new Error(`no position for filter ${code}`);
    const z = LINE_Z;
    const parts = [
      cylinder(FILTER_R, 0.54, [x, 0.57, z], "y", 24), // bowl
      dome(FILTER_R, 0.05, [x, 0.3, z], false, 24, 4),
      rod([x, 0.255, z], [x, 0.21, z], 0.01, 8), // drain
      cylinder(0.125, 0.06, [x, FILTER_NOZZLE_Y, z], "y", 24), // head
      dome(FILTER_R, 0.07, [x, 0.9, z], true, 24, 5), // domed cap
      cylinder(0.012, 0.04, [x, 0.98, z], "y", 8), // vent screw
    ];
    for (const side of [-1, 1]) {
      parts.push(rod([x + side * 0.1, FILTER_NOZZLE_Y, z], [x + side * (FILTER_NOZZLE_END - FLANGE_T), FILTER_NOZZLE_Y, z], 0.03, 12));
      parts.push(flange([x + side * FILTER_NOZZLE_END, FILTER_NOZZLE_Y, z], [-side, 0, 0], 0.048));
    }
    for (const a of [Math.PI / 2, (7 * Math.PI) / 6, (11 * Math.PI) / 6]) {
      const dx = 0.085 * Math.cos(a);
      const dz = 0.085 * Math.sin(a);
      parts.push(rod([x + dx, SKID_TOP, z + dz], [x + dx, 0.3, z + dz], 0.011, 8)); // tripod legs
    }
    return parts;
  };
}

function temperatureSensor(): THREE.BufferGeometry[] {
  // On the front of the UV feed pipe, clear of the analysers' sample tubes behind it.
  const x = 0.22;
  const y = FILTER_NOZZLE_Y;
  const face = LINE_Z + PIPE_R;
  return [
    cylinder(0.014, 0.02, [x, y, face], "z", 10), // thermowell boss
    rod([x, y, face + 0.01], [x, y, face + 0.05], 0.008, 8),
    cylinder(0.022, 0.045, [x, y, face + 0.0725], "z", 14), // connection head
    cylinder(0.024, 0.01, [x, y, face + 0.1], "z", 14), // lid
  ];
}

/**
 * An analyser on its own post just behind the UV feed pipe, above it, so it stays visible from
 * the front; a sample tube runs from the back of the pipe into the bottom of the enclosure.
 */
function analyser(x: number): Builder {
  return () => {
    const z = 0.02;
    const bottom = 0.95;
    const size: V3 = [0.12, 0.16, 0.09];
    return [
      box([0.03, bottom - SKID_TOP, 0.03], [x, (bottom + SKID_TOP) / 2, z - size[2] / 2 - 0.015]), // post
      box(size, [x, bottom + size[1] / 2, z]), // enclosure
      box([size[0] + 0.02, 0.012, size[2] + 0.03], [x, bottom + size[1] + 0.006, z + 0.01]), // rain hood
      box([0.07, 0.05, 0.01], [x, bottom + 0.1, z + size[2] / 2 + 0.005]), // display bezel
      ...pipeRun(`sample line to ${x}`, [[x, FILTER_NOZZLE_Y, LINE_Z - PIPE_R + 0.005], [x, FILTER_NOZZLE_Y, z], [x, bottom + 0.005, z]], 0.006, 0.02, 8),
    ];
  };
}

function uvReactor(): THREE.BufferGeometry[] {
  const z = LINE_Z;
  const mid = (UV_X0 + UV_X1) / 2;
  const parts = [
    cylinder(UV_R, UV_X1 - UV_X0, [mid, UV_Y, z], "x", 28), // shell
    flange([UV_X0, UV_Y, z], [1, 0, 0], 0.105, 28),
    flange([UV_X1, UV_Y, z], [-1, 0, 0], 0.105, 28),
    cylinder(0.09, 0.02, [UV_X0 - 0.01, UV_Y, z], "x", 28), // blind end plate
    cylinder(0.03, 0.03, [UV_X0 - 0.035, UV_Y, z], "x", 12), // sleeve nut
    cylinder(0.09, 0.02, [UV_X1 + 0.01, UV_Y, z], "x", 28), // lamp end plate
    cylinder(0.03, 0.05, [UV_X1 + 0.045, UV_Y, z], "x", 12), // lamp connector
    cylinder(0.012, 0.03, [UV_X1 + 0.085, UV_Y, z], "x", 8), // cable gland
    rod([mid, UV_Y - UV_R + 0.005, z], [mid, UV_Y - UV_R - 0.035, z], 0.012, 8), // drain
  ];
  for (const x of [UV_IN_X, UV_OUT_X]) {
    parts.push(rod([x, UV_Y, z], [x, UV_NOZZLE_TOP - FLANGE_T, z], 0.03, 12));
    parts.push(flange([x, UV_NOZZLE_TOP, z], [0, -1, 0], 0.048));
  }
  return parts;
}

function uvSensor(): THREE.BufferGeometry[] {
  // A radial boss on the shell between top and front, looking at the lamp.
  const x = (UV_X0 + UV_X1) / 2;
  const a = (50 * Math.PI) / 180;
  const at = (d: number): V3 => [x, UV_Y + d * Math.cos(a), LINE_Z + d * Math.sin(a)];
  return [rod(at(UV_R - 0.01), at(UV_R + 0.03), 0.02, 12), rod(at(UV_R + 0.03), at(UV_R + 0.075), 0.016, 12), rod(at(UV_R + 0.075), at(UV_R + 0.09), 0.008, 8)];
}

function lamp(): THREE.BufferGeometry[] {
  // Inside the reactor on its axis: visible when the viewer makes the shell translucent.
  const r = 0.012;
  const x0 = UV_X0 + 0.04;
  const x1 = UV_X1 - 0.045;
  return [
    cylinder(r, x1 - x0, [(x0 + x1) / 2, UV_Y, LINE_Z], "x", 10),
    sphere(r, [x0, UV_Y, LINE_Z], 10, 5),
    cylinder(0.016, 0.03, [x1 + 0.015, UV_Y, LINE_Z], "x", 10), // lamp base
  ];
}

function tank(): THREE.BufferGeometry[] {
  const x = TANK_X;
  const z = TANK_Z;
  const parts = [
    dome(TANK_R, 0.07, [x, 0.32, z], false, 32, 4),
    cylinder(TANK_R, 1.3, [x, 0.97, z], "y", 32), // shell
    band(TANK_R + 0.006, 0.03, [x, 0.75, z], "y", 32), // stiffeners
    band(TANK_R + 0.006, 0.03, [x, 1.2, z], "y", 32),
    dome(TANK_R, 0.08, [x, 1.62, z], true, 32, 5),
    cylinder(0.1, 0.08, [x, 1.72, z], "y", 20), // manway
    cylinder(0.11, 0.015, [x, 1.7675, z], "y", 20), // manway lid
    // inlet nozzle on the front, facing the UV outlet line; outlet low on the right
    rod([x, TANK_INLET_Y, z + TANK_R - 0.03], [x, TANK_INLET_Y, TANK_INLET_END_Z - FLANGE_T], 0.03, 12),
    flange([x, TANK_INLET_Y, TANK_INLET_END_Z], [0, 0, -1], 0.048),
    rod([x + TANK_R - 0.03, 0.42, z], [1.3 - FLANGE_T, 0.42, z], 0.03, 12),
    flange([1.3, 0.42, z], [-1, 0, 0], 0.048),
    ...pipeRun("tank vent", [[x + 0.14, 1.66, z], [x + 0.14, 1.85, z], [x + 0.22, 1.85, z], [x + 0.22, 1.8, z]], 0.016, 0.03, 10),
  ];
  for (let k = 0; k < 4; k++) {
    const a = Math.PI / 4 + (k * Math.PI) / 2;
    parts.push(rod([x + 0.2 * Math.cos(a), SKID_TOP, z + 0.2 * Math.sin(a)], [x + 0.2 * Math.cos(a), 0.31, z + 0.2 * Math.sin(a)], 0.02, 8));
  }
  return parts;
}

function cabinet(): THREE.BufferGeometry[] {
  const x = -0.25;
  const back = -0.58;
  const depth = 0.25;
  const front = back + depth;
  const z = back + depth / 2;
  return [
    box([0.56, 0.11, 0.21], [x, SKID_TOP + 0.055, z]), // plinth
    box([0.6, 1.2, depth], [x, 0.82, z]), // body
    box([0.64, 0.02, depth + 0.04], [x, 1.43, z + 0.01]), // canopy
    box([0.56, 1.14, 0.012], [x, 0.82, front + 0.006]), // door
    box([0.02, 0.12, 0.02], [x + 0.24, 0.85, front + 0.022]), // handle
    cylinder(0.008, 0.08, [x - 0.285, 0.4, front + 0.008], "y", 8), // hinges
    cylinder(0.008, 0.08, [x - 0.285, 1.24, front + 0.008], "y", 8),
  ];
}

function skid(): THREE.BufferGeometry[] {
  const parts = [
    box([2.5, 0.11, 0.08], [0, 0.055, 0.56]), // main rails
    box([2.5, 0.11, 0.08], [0, 0.055, -0.56]),
    box([2.46, 0.015, 1.04], [0, SKID_TOP - 0.0075, 0]), // deck plate
  ];
  for (const x of [-1.21, -0.6, 0, 0.6, 1.21]) parts.push(box([0.07, 0.08, 1.04], [x, 0.05, 0])); // cross members
  for (const x of [UV_X0 + 0.1, UV_X1 - 0.1]) {
    // UV reactor saddles with clamp bands
    const h = UV_Y - UV_R - SKID_TOP;
    parts.push(box([0.035, h, 0.1], [x, SKID_TOP + h / 2, LINE_Z]));
    parts.push(box([0.1, 0.01, 0.14], [x, SKID_TOP + 0.005, LINE_Z])); // base plate
    parts.push(band(UV_R + 0.004, 0.03, [x, UV_Y, LINE_Z], "x", 28));
  }
  return parts;
}

function piping(): THREE.BufferGeometry[] {
  const y = PUMP_NOZZLE_Y;
  const z = LINE_Z;
  const f1 = FILTER_X["filter-1"]!;
  const f2 = FILTER_X["filter-2"]!;
  // Each run, in flow order, with a flange where it meets a component's flange.
  const runs: { name: string; points: V3[] }[] = [
    { name: "suction", points: [[-1.3, y, z], [PUMP_X - PUMP_NOZZLE_END, y, z]] },
    { name: "pump to filter-1 (pt-1, ft-1)", points: [[PUMP_X + PUMP_NOZZLE_END, y, z], [RISER_X, y, z], [RISER_X, FILTER_NOZZLE_Y, z], [f1 - FILTER_NOZZLE_END, FILTER_NOZZLE_Y, z]] },
    { name: "filter-1 to filter-2", points: [[f1 + FILTER_NOZZLE_END, FILTER_NOZZLE_Y, z], [f2 - FILTER_NOZZLE_END, FILTER_NOZZLE_Y, z]] },
    { name: "filter-2 to uv-1", points: [[f2 + FILTER_NOZZLE_END, FILTER_NOZZLE_Y, z], [UV_IN_X, FILTER_NOZZLE_Y, z], [UV_IN_X, UV_NOZZLE_TOP, z]] },
    { name: "uv-1 to tank-1", points: [[UV_OUT_X, UV_NOZZLE_TOP, z], [UV_OUT_X, TANK_INLET_Y, z], [TANK_X, TANK_INLET_Y, z], [TANK_X, TANK_INLET_Y, TANK_INLET_END_Z]] },
  ];
  const parts: THREE.BufferGeometry[] = [];
  for (const run of runs) {
    parts.push(...pipeRun(run.name, run.points, PIPE_R, BEND_R));
    const ends: [V3, V3][] = [
      [run.points[0]!, run.points[1]!],
      [run.points.at(-1)!, run.points.at(-2)!],
    ];
    for (const [end, next] of ends) {
      const len = Math.hypot(next[0] - end[0], next[1] - end[1], next[2] - end[2]);
      const into: V3 = [(next[0] - end[0]) / len, (next[1] - end[1]) / len, (next[2] - end[2]) / len];
      parts.push(flange(end, into, PIPE_FLANGE_R));
    }
  }
  return parts;
}

const BUILDERS: Record<string, Builder> = {
  skid,
  piping,
  "pump-1": pump,
  "motor-1": motor,
  "vfd-1": vfd,
  "pt-1": pressureTransmitter,
  "ft-1": flowMeter,
  "filter-1": filterHousing("filter-1"),
  "filter-2": filterHousing("filter-2"),
  "tt-1": temperatureSensor,
  "turb-1": analyser(0.15),
  "uvt-1": analyser(0.3),
  "uv-1": uvReactor,
  "uvsensor-1": uvSensor,
  "lamp-1": lamp,
  "tank-1": tank,
  "plc-1": cabinet,
};

// ---------------------------------------------------------------------------------------------
// Scene

function named<T extends THREE.Object3D>(object: T, name: string): T {
  object.name = name;
  object.userData[TWIN_NAME_KEY] = name; // GLTFLoader mangles some names; extras keep them exact
  return object;
}

/**
 * One top-level node: placed at the bottom centre of its pieces, holding one mesh (pieces merged,
 * own material) and, for a component, the empty label anchor LABEL_GAP above its top.
 */
function buildNode(name: string, withLabel: boolean): THREE.Group {
  const build = BUILDERS[name];
  if (!build) throw new Error(`no geometry builder for twin node ${name}: add one to BUILDERS in scripts/build-twin-model.ts`);
  const geometry = mergeParts(name, build());
  geometry.computeBoundingBox();
  const bounds = geometry.boundingBox!;
  const mm = (v: number) => Math.round(v * 1e4) / 1e4; // keeps float noise out of the node transforms
  const anchor = new THREE.Vector3(mm((bounds.min.x + bounds.max.x) / 2), mm(bounds.min.y), mm((bounds.min.z + bounds.max.z) / 2));
  geometry.translate(-anchor.x, -anchor.y, -anchor.z);

  const group = named(new THREE.Group(), name);
  group.position.copy(anchor);
  group.add(named(new THREE.Mesh(geometry, materialFor(name)), `${name}-mesh`));
  if (withLabel) {
    const label = named(new THREE.Object3D(), labelNodeName(name));
    const [dx, dy, dz] = LABEL_SHIFT[name] ?? [0, 0, 0];
    label.position.set(dx, bounds.max.y - bounds.min.y + LABEL_GAP + dy, dz);
    group.add(label);
  }
  return group;
}

/** The whole unit: `skid`, `piping`, then every TWIN_NODES component, as children of the scene. */
export function buildTwinScene(nodes: readonly TwinNode[] = TWIN_NODES): THREE.Scene {
  const scene = new THREE.Scene();
  scene.name = "treatment-unit";
  for (const name of TWIN_STRUCTURE_NODES) scene.add(buildNode(name, false));
  for (const node of nodes) scene.add(buildNode(node.code, true));
  return scene;
}

// ---------------------------------------------------------------------------------------------
// Export

/**
 * GLTFExporter's binary path reads its Blobs with FileReader, which Node 20 lacks (it has Blob).
 * This reader implements only what that path calls: readAsArrayBuffer then onloadend. Installed
 * while an export runs (counted, so overlapping exports share it) and removed afterwards.
 */
class BlobReader {
  result: ArrayBuffer | null = null;
  error: unknown = null;
  onloadend: (() => void) | null = null;

  readAsArrayBuffer(blob: Blob): void {
    blob.arrayBuffer().then(
      (buffer) => {
        this.result = buffer;
        this.onloadend?.();
      },
      (error: unknown) => {
        this.error = error;
        this.onloadend?.();
      },
    );
  }

  readAsDataURL(): void {
    throw new Error("build-twin-model: only binary (.glb) export is supported in Node");
  }
}

let shimUsers = 0;

function withFileReader<T>(run: () => Promise<T>): Promise<T> {
  const g = globalThis as { FileReader?: unknown };
  if (g.FileReader !== undefined && shimUsers === 0) return run(); // a real one (browser, newer runtime)
  if (shimUsers++ === 0) g.FileReader = BlobReader;
  return run().finally(() => {
    if (--shimUsers === 0) delete g.FileReader;
  });
}

export async function exportGlb(scene: THREE.Object3D): Promise<ArrayBuffer> {
  const out = await withFileReader(() => new GLTFExporter().parseAsync(scene, { binary: true, trs: true, onlyVisible: true }));
  if (!(out instanceof ArrayBuffer)) throw new Error("GLTFExporter returned JSON where a binary .glb was requested");
  return out;
}

/** The glTF JSON of a .glb: the first chunk after the 12-byte header (glTF 2.0 §4.4). */
export interface GltfJson {
  nodes?: { name?: string; mesh?: number; children?: number[]; extras?: Record<string, unknown> }[];
  meshes?: { name?: string; primitives: { indices?: number; attributes: Record<string, number>; mode?: number; material?: number }[] }[];
  materials?: { name?: string }[];
  accessors?: { count: number }[];
}

export function readGlbJson(glb: ArrayBuffer | Uint8Array): GltfJson {
  const bytes = glb instanceof Uint8Array ? glb : new Uint8Array(glb);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 20 || view.getUint32(0, true) !== 0x46546c67) throw new Error("not a .glb file: the magic number 'glTF' is missing");
  const jsonLength = view.getUint32(12, true);
  if (view.getUint32(16, true) !== 0x4e4f534a) throw new Error("malformed .glb: the first chunk is not JSON");
  return JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength))) as GltfJson;
}

export interface ModelStats {
  nodes: number;
  meshes: number;
  materials: number;
  triangles: number;
  bytes: number;
}

export function modelStats(glb: ArrayBuffer | Uint8Array): ModelStats {
  const json = readGlbJson(glb);
  let triangles = 0;
  for (const mesh of json.meshes ?? []) {
    for (const primitive of mesh.primitives) {
      if ((primitive.mode ?? 4) !== 4) continue; // only TRIANGLES are used here
      const accessor = primitive.indices !== undefined ? json.accessors?.[primitive.indices] : json.accessors?.[primitive.attributes.POSITION ?? -1];
      triangles += Math.floor((accessor?.count ?? 0) / 3);
    }
  }
  return { nodes: json.nodes?.length ?? 0, meshes: json.meshes?.length ?? 0, materials: json.materials?.length ?? 0, triangles, bytes: glb.byteLength };
}

/** Builds the model, checks the size budget and writes it to `outPath` (directories created). */
export async function buildTwinModel(outPath: string = DEFAULT_MODEL_PATH): Promise<ModelStats & { path: string }> {
  const glb = await exportGlb(buildTwinScene());
  const stats = modelStats(glb);
  if (stats.bytes > MODEL_SIZE_BUDGET_BYTES) {
    throw new Error(`the model is ${(stats.bytes / 1024).toFixed(1)} KB, over the ${MODEL_SIZE_BUDGET_BYTES / 1024} KB budget: lower segment counts (not written)`);
  }
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, new Uint8Array(glb));
  return { ...stats, path: outPath };
}

async function main(argv: string[]): Promise<number> {
  let out = DEFAULT_MODEL_PATH;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) out = path.resolve(argv[++i]!);
    else {
      process.stderr.write(`build-twin-model: unknown argument ${argv[i]} (usage: build-twin-model [--out <file.glb>])\n`);
      return 2;
    }
  }
  const stats = await buildTwinModel(out);
  process.stdout.write(
    `${path.relative(process.cwd(), stats.path) || stats.path}: ${stats.nodes} nodes, ${stats.meshes} meshes, ${stats.materials} materials, ` +
      `${stats.triangles.toLocaleString("en")} triangles, ${(stats.bytes / 1024).toFixed(1)} KB (budget ${MODEL_SIZE_BUDGET_BYTES / 1024} KB)\n`,
  );
  return 0;
}

// Run only as a script (tsx scripts/build-twin-model.ts), not when the test imports it.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`build-twin-model: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
