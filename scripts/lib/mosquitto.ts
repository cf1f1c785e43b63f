/**
 * A real Mosquitto started from the config kept in `deploy/mosquitto/` on a free loopback port in a
 * temp folder of its own, and stopped (folder removed) after: for the deployment tests
 * (test/integration/deploy-harness.ts) and the MQTT benchmark (scripts/bench/mqtt.ts).
 * Only ports and paths of the repo's config are rewritten; every rewrite must match, so a config
 * change that the harness no longer covers fails loudly instead of being skipped.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const running = new Set<ChildProcess>();

// A crashed test or benchmark must not leave brokers or proxies behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

export function requireCommand(command: string, install: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  const resolved = found.stdout.trim();
  if (found.status === 0 && resolved) return resolved;
  // Daemons live in sbin, which is not on every user's PATH.
  const sbin = ["/usr/sbin", "/sbin"].map((dir) => path.join(dir, command)).find((file) => fs.existsSync(file));
  if (sbin) return sbin;
  throw new Error(`${command} is not installed, and this test or benchmark needs the real one. Install it with: ${install}`);
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** Rewrites `text` with each [from, to]; throws when one of them matches nothing. */
export function rewriteConfig(text: string, file: string, rewrites: [RegExp | string, string][]): string {
  let out = text;
  for (const [from, to] of rewrites) {
    const next = typeof from === "string" ? out.split(from).join(to) : out.replace(from, to);
    if (next === out) throw new Error(`${file} no longer contains ${String(from)}; update scripts/lib/mosquitto.ts with the config`);
    out = next;
  }
  return out;
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // Mosquitto and nginx workers drop root privileges and must still reach their files.
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** uid/gid of a system user, when it exists (Mosquitto runs as `mosquitto` when started as root). */
function systemUser(name: string): { uid: number; gid: number } | null {
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(dir: string, owner: { uid: number; gid: number }): void {
  fs.chownSync(dir, owner.uid, owner.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, owner);
    else fs.chownSync(full, owner.uid, owner.gid);
  }
}

/** Killed with SIGKILL if this process exits before stopping it. */
export function trackProcess(child: ChildProcess): void {
  running.add(child);
}

export async function waitForPort(port: number, child: ChildProcess, describe: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before listening:\n${describe()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not listening on ${port} after ${timeoutMs} ms:\n${describe()}`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  running.delete(child);
}

// ---------------------------------------------------------------------------------------------

export interface Certificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
}

/** A throw-away CA and a server certificate for localhost / 127.0.0.1 signed by it (openssl). */
export function makeCertificates(dir: string): Certificates {
  requireCommand("openssl", "apt-get install -y openssl");
  fs.mkdirSync(dir, { recursive: true });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  run("openssl", ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=EcoMate test CA"], dir);
  run("openssl", ["req", "-new", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
  fs.writeFileSync(
    path.join(dir, "server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
  );
  run(
    "openssl",
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext"],
    dir,
  );
  return { dir, caCert: path.join(dir, "ca.crt"), serverCert: path.join(dir, "server.crt"), serverKey: path.join(dir, "server.key") };
}

// ---------------------------------------------------------------------------------------------

export interface MosquittoHandle {
  dir: string;
  /** Plain listener (loopback). */
  port: number;
  /** TLS listener, for ecomate-tls.conf. */
  tlsPort?: number;
  adminUsername: string;
  adminPassword: string;
  /** mqtt://admin:password@127.0.0.1:port (the value of MOSQUITTO_DYNSEC_URL). */
  adminUrl: string;
  /** The broker's process id (the benchmark reads its CPU time). */
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Mosquitto with `deploy/mosquitto/<config>` and a dynamic-security file made by
 * `mosquitto_ctrl dynsec init` (one admin). ecomate-tls.conf also gets a fresh CA and server cert.
 */
export async function startMosquitto(config: "ecomate.conf" | "ecomate-tls.conf"): Promise<MosquittoHandle & { certificates?: Certificates }> {
  const mosquitto = requireCommand("mosquitto", "apt-get install -y mosquitto mosquitto-clients");
  requireCommand("mosquitto_ctrl", "apt-get install -y mosquitto");
  const dir = tempDir("ecomate-mosquitto-");
  const adminUsername = "admin";
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  run("mosquitto_ctrl", ["dynsec", "init", path.join(dir, "dynamic-security.json"), adminUsername, adminPassword], dir);

  const tls = config === "ecomate-tls.conf";
  const certificates = tls ? makeCertificates(path.join(dir, "certs")) : undefined;
  const port = await freePort();
  const tlsPort = tls ? await freePort() : undefined;
  const source = path.join(root, "deploy", "mosquitto", config);
  const rewrites: [RegExp | string, string][] = [
    ["/var/lib/mosquitto/", `${dir}/`],
    ["/var/log/mosquitto/", `${dir}/`],
    [/^listener 1883 127\.0\.0\.1$/m, `listener ${port} 127.0.0.1`],
  ];
  if (tls) rewrites.push(["/etc/mosquitto/certs/", `${dir}/certs/`], [/^listener 8883$/m, `listener ${tlsPort} 127.0.0.1`]);
  const conf = path.join(dir, config);
  fs.writeFileSync(conf, rewriteConfig(fs.readFileSync(source, "utf8"), source, rewrites));

  if (process.getuid?.() === 0) {
    const owner = systemUser("mosquitto");
    if (owner) chownTree(dir, owner);
  }
  const child = spawn(mosquitto, ["-c", conf], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  running.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const log = () => {
    let file = "";
    try {
      file = fs.readFileSync(path.join(dir, "ecomate.log"), "utf8");
    } catch {
      // not written yet
    }
    return `${stderr}${file}`.slice(-4000);
  };
  try {
    await waitForPort(port, child, log);
    if (tlsPort) await waitForPort(tlsPort, child, log);
  } catch (error) {
    await stopProcess(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`Mosquitto with ${config} ${(error as Error).message}`);
  }
  return {
    dir,
    port,
    tlsPort,
    adminUsername,
    adminPassword,
    adminUrl: `mqtt://${adminUsername}:${adminPassword}@127.0.0.1:${port}`,
    pid: child.pid!,
    certificates,
    log,
    stop: async () => {
      await stopProcess(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

