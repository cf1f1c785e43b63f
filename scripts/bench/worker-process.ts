// Worker processes for the benchmarks, started as in production (`npm run worker`: node with tsx's
// loader, one process per worker), with their JSON log lines read for subscriptions, errors and the
// final counts.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { trackProcess } from "../lib/mosquitto";

const root = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  child: ChildProcess;
  subscribed: number;
  /** the alert engine took the lead in this process */
  leading: boolean;
  stopped?: { messages: number; ingest: { messages: number; readings: number; duplicates: number; rejected: number; batches: number; retries: number } };
  errors: string[];
  exited: Promise<void>;
}

export function startWorkerProcess(id: string, connections: number, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/worker/index.ts"], {
    cwd: root,
    env: { ...process.env, ...env, WORKER_ID: id, WORKER_CONNECTIONS: String(connections), WORKER_SHARED: "true", LOG_LEVEL: "info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  trackProcess(child);
  const w: WorkerProcess = { child, subscribed: 0, leading: false, errors: [], exited: new Promise((resolve) => child.once("exit", () => resolve())) };
  let buffered = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let entry: { level?: number; msg?: string; messages?: number; ingest?: NonNullable<WorkerProcess["stopped"]>["ingest"] };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        w.errors.push(line);
        continue;
      }
      if (entry.msg === "subscribed") w.subscribed += 1;
      else if (entry.msg === "alert engine leads") w.leading = true;
      else if (entry.msg === "worker stopped") w.stopped = { messages: entry.messages ?? 0, ingest: entry.ingest! };
      if ((entry.level ?? 0) >= 40) w.errors.push(line.slice(0, 400));
    }
  });
  return w;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
