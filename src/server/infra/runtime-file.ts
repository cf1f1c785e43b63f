/**
 * `<data dir>/runtime.json`: how to reach the services of a running `npm run demo`.
 *
 * The demo writes it once everything is up and removes it on exit. Other processes (CLI, a
 * `next dev` beside the demo) read it only while the demo's pid is alive, so a file left behind
 * by a killed demo is ignored rather than trusted.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

export const runtimeInfoSchema = z.object({
  databaseUrl: z.string().min(1),
  mqttUrl: z.string().min(1),
  appUrl: z.string().min(1),
  pid: z.number().int().positive(),
});

export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;

export function runtimeFilePath(dataDir: string): string {
  return path.join(dataDir, "runtime.json");
}

/** Writes the file atomically (temp file + rename), readable by the owner only: it holds a DB password. */
export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const target = runtimeFilePath(dataDir);
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(runtimeInfoSchema.parse(info), null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, target);
}

/** The file's content, or null when it is missing or malformed (liveness is not checked). */
export function readRuntimeFile(dataDir: string): RuntimeInfo | null {
  let raw: string;
  try {
    raw = fs.readFileSync(runtimeFilePath(dataDir), "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = runtimeInfoSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * True when a process with this pid runs (EPERM means it exists but belongs to someone else).
 * A zombie does not count: in containers whose init never reaps, a killed process stays one.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat is "pid (comm) state ...", and comm may contain spaces or parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false; // no /proc (not Linux), or the process is gone already
  }
}

/** The runtime info of a demo that is still running, else null. */
export function readLiveRuntime(dataDir: string): RuntimeInfo | null {
  const info = readRuntimeFile(dataDir);
  return info && isProcessAlive(info.pid) ? info : null;
}

/**
 * Removes the file. With `ownerPid`, only when the file belongs to that process, so a demo that
 * shuts down never deletes the file of another demo that has started since.
 */
export function removeRuntimeFile(dataDir: string, ownerPid?: number): void {
  if (ownerPid !== undefined) {
    const info = readRuntimeFile(dataDir);
    if (info && info.pid !== ownerPid) return;
  }
  fs.rmSync(runtimeFilePath(dataDir), { force: true });
}
