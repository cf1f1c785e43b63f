// The web server for benchmarks that need a browser's view (bench:alerts, bench:dashboard): the
// production build served as `npm start` does, and a session signed in through next-auth.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { buildReason } from "../lib/build-state";
import { freePort, trackProcess } from "../lib/mosquitto";
import { progress } from "./common";

const root = path.resolve(import.meta.dirname, "../..");

export async function startBenchWebServer(env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  if (buildReason(root)) {
    progress("building the app (next build)…");
    const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (r.status !== 0) throw new Error("next build failed");
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/http/main.ts", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production", NEXTAUTH_SECRET: randomBytes(16).toString("hex"), NEXTAUTH_URL: base, LOG_LEVEL: "warn", ...env },
  });
  trackProcess(child);
  const deadline = Date.now() + 120_000;
  // any answer will do (health is 503 when a benchmark runs without a broker)
  while (!(await fetch(`${base}/api/health`).catch(() => null))) {
    if (child.exitCode !== null) throw new Error(`the web server exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error("the web server did not answer /api/health within 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  return { base, child };
}

/** Signs in through next-auth's credentials flow; returns the session cookies (name, value). */
export async function signInCookies(base: string, email: string, password: string): Promise<{ name: string; value: string }[]> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed (HTTP ${res.status})`);
  return [...jar].map(([name, value]) => ({ name, value }));
}
