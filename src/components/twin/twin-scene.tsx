"use client";

// The 3D view of one treatment unit: the glTF model of public/models/, each component tinted by its
// state, live values pinned on the main components, a click selects a component. Rendered on demand
// (no render loop while nothing changes), so a phone's battery and the slider path stay cheap.
import { Suspense, useEffect, useMemo } from "react";
import { Canvas, useThree, type ThreeEvent } from "@react-three/fiber";
import { Html, OrbitControls, useGLTF, useProgress } from "@react-three/drei";
import { Color, Mesh, MeshStandardMaterial, PerspectiveCamera, Vector3, type Object3D } from "three";
import { labelNodeName, restoreTwinNodeNames, TWIN_MODEL_URL, TWIN_NODES } from "@/lib/twin/model-nodes";
import { LEVEL_COLOURS, type ComponentState } from "./twin-view-model";

export interface TwinSceneProps {
  /** component codes the system has; model nodes of other components are hidden */
  present: ReadonlySet<string>;
  states: ReadonlyMap<string, ComponentState>;
  labels: ReadonlyMap<string, string>;
  selected: string | null;
  onSelect(code: string | null): void;
  /** UV output relative to a new lamp at full power (0 = off): the lamp's glow */
  lampGlow: number;
  /** water is flowing: the piping shows it */
  flowing: boolean;
  modelUrl?: string;
}

const SELECT_COLOUR = new Color("#2563eb");
const TARGET = new Vector3(0, 0.85, 0);
// from the front, a little to the right and above: every component shows, the labels spread out
const VIEW_DIRECTION = new Vector3(0.35, 0.42, 1).normalize();
const UNIT_HALF_WIDTH = 1.55;
const UNIT_HALF_HEIGHT = 1.15;
const UNIT_HALF_DEPTH = 0.6;
const LAMP_GLOW = new Color("#a5b4fc");

interface Base {
  colour: Color;
  emissive: Color;
  emissiveIntensity: number;
}

/** The node of `object` (or an ancestor) that is a component of the model. */
function componentOf(object: Object3D | null): string | null {
  const codes = new Set(TWIN_NODES.map((n) => n.code));
  for (let o = object; o; o = o.parent) if (codes.has(o.name)) return o.name;
  return null;
}

/** Shows the state on the model: hidden absent components, tints by level, the selection, the lamp's glow, water in the pipes. */
function applyState(scene: Object3D, props: Pick<TwinSceneProps, "present" | "states" | "selected" | "lampGlow" | "flowing">) {
  for (const node of TWIN_NODES) {
    const object = scene.getObjectByName(node.code);
    if (!object) continue;
    object.visible = props.present.has(node.code);
    const level = props.states.get(node.code)?.level ?? "ok";
    const colour = LEVEL_COLOURS[level];
    const isSelected = props.selected === node.code;
    const isLamp = node.type === "lamp";
    object.traverse((child) => {
      if (!(child instanceof Mesh) || !(child.material instanceof MeshStandardMaterial)) return;
      const m = child.material;
      // useGLTF caches the scene across visits: the untinted look is kept on the material once.
      const base = (m.userData.twinBase ??= { colour: m.color.clone(), emissive: m.emissive.clone(), emissiveIntensity: m.emissiveIntensity }) as Base;
      m.color.copy(base.colour);
      m.emissive.copy(base.emissive);
      m.emissiveIntensity = base.emissiveIntensity;
      if (isLamp) {
        // the lamp glows with its UV output
        m.emissive.copy(LAMP_GLOW);
        m.emissiveIntensity = 2 * Math.max(0, Math.min(1.2, props.lampGlow));
      }
      if (colour && !isLamp) {
        m.color.lerp(new Color(colour), level === "idle" ? 0.5 : 0.6);
        m.emissive.set(colour);
        m.emissiveIntensity = level === "idle" ? 0 : 0.35;
      }
      if (isSelected) {
        m.emissive.lerp(SELECT_COLOUR, colour ? 0.4 : 1);
        m.emissiveIntensity = Math.max(m.emissiveIntensity, 0.45);
      }
    });
  }
  scene.getObjectByName("piping")?.traverse((child) => {
    if (child instanceof Mesh && child.material instanceof MeshStandardMaterial) {
      child.material.emissive.set(props.flowing ? "#0ea5e9" : "#000000");
      child.material.emissiveIntensity = props.flowing ? 0.15 : 0;
    }
  });
}

function UnitModel(props: TwinSceneProps) {
  const { scene } = useGLTF(props.modelUrl ?? TWIN_MODEL_URL);
  // three's loader drops ":" from node names; the exact names travel in the nodes' extras
  restoreTwinNodeNames(scene);
  const invalidate = useThree((s) => s.invalidate);
  const { present, states, selected, lampGlow, flowing } = props;
  useEffect(() => {
    applyState(scene, { present, states, selected, lampGlow, flowing });
    invalidate();
  }, [scene, present, states, selected, lampGlow, flowing, invalidate]);

  // Where each label sits: its anchor node's place in the world (the model does not move).
  const anchors = useMemo(() => {
    scene.updateMatrixWorld(true);
    const out = new Map<string, [number, number, number]>();
    for (const node of TWIN_NODES) {
      const anchor = scene.getObjectByName(labelNodeName(node.code));
      if (anchor) out.set(node.code, anchor.getWorldPosition(new Vector3()).toArray());
    }
    return out;
  }, [scene]);

  const onClick = (event: ThreeEvent<MouseEvent>) => {
    event.stopPropagation();
    const code = componentOf(event.object);
    props.onSelect(code === props.selected ? null : code);
  };

  return (
    <group>
      <primitive object={scene} onClick={onClick} onPointerMissed={() => props.onSelect(null)} />
      {[...props.labels].map(([code, text]) => {
        const position = anchors.get(code);
        if (!position || !props.present.has(code)) return null;
        const level = props.states.get(code)?.level ?? "ok";
        return (
          <Html key={code} position={position} center zIndexRange={[20, 0]} style={{ pointerEvents: "none" }}>
            <div
              data-testid={`twin-label-${code}`}
              className={`whitespace-nowrap rounded-md px-1.5 py-0.5 text-[11px] font-medium tabular-nums shadow ${
                level === "critical" ? "bg-red-600 text-white" : level === "warning" ? "bg-orange-500 text-white" : level === "watch" ? "bg-amber-300 text-slate-900" : "bg-white/90 text-slate-800"
              }`}
            >
              {text}
            </div>
          </Html>
        );
      })}
    </group>
  );
}

/** Puts the camera where the whole unit fits the view, whatever the aspect (a phone is narrow). */
function FitCamera() {
  const camera = useThree((s) => s.camera);
  const width = useThree((s) => s.size.width);
  const height = useThree((s) => s.size.height);
  const invalidate = useThree((s) => s.invalidate);
  useEffect(() => {
    if (!(camera instanceof PerspectiveCamera) || width === 0 || height === 0) return;
    const aspect = width / height;
    const vHalf = (camera.fov * Math.PI) / 360;
    const hHalf = Math.atan(Math.tan(vHalf) * aspect);
    // the unit is ~2.6 m long and ~1.9 m high; keep a margin for the labels
    const distance = Math.max(UNIT_HALF_WIDTH / Math.tan(hHalf), UNIT_HALF_HEIGHT / Math.tan(vHalf)) + UNIT_HALF_DEPTH;
    camera.position.copy(VIEW_DIRECTION).multiplyScalar(distance).add(TARGET);
    camera.lookAt(TARGET);
    camera.updateProjectionMatrix();
    invalidate();
  }, [camera, width, height, invalidate]);
  return null;
}

function Loading() {
  const { progress } = useProgress();
  return (
    <Html center>
      <div className="w-48 rounded-lg bg-white/90 p-3 text-center text-sm text-slate-700 shadow" role="status">
        Loading the 3D model… {Math.round(progress)} %
        <div className="mt-2 h-1.5 w-full overflow-hidden rounded bg-slate-200">
          <div className="h-full bg-brand-600" style={{ width: `${Math.round(progress)}%` }} />
        </div>
      </div>
    </Html>
  );
}

export default function TwinScene(props: TwinSceneProps) {
  return (
    <Canvas
      frameloop="demand"
      dpr={[1, 2]}
      shadows={false}
      camera={{ position: [1.2, 2.2, 4.2], fov: 38, near: 0.1, far: 50 }}
      fallback={<p className="p-6 text-sm text-slate-600">This browser cannot show 3D (WebGL is off). The figures and sliders still work.</p>}
      data-testid="twin-canvas"
    >
      <color attach="background" args={["#f1f5f9"]} />
      <hemisphereLight args={["#ffffff", "#94a3b8", 1.1]} />
      <directionalLight position={[4, 6, 3]} intensity={1.6} />
      <directionalLight position={[-3, 3, -4]} intensity={0.5} />
      <FitCamera />
      <Suspense fallback={<Loading />}>
        <UnitModel {...props} />
      </Suspense>
      <OrbitControls makeDefault target={[TARGET.x, TARGET.y, TARGET.z]} enableDamping minDistance={1.5} maxDistance={9} maxPolarAngle={Math.PI / 2 - 0.05} />
    </Canvas>
  );
}
