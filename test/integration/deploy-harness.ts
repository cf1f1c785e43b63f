/**
 * Real Mosquitto and nginx processes for the deployment tests, each started from the config kept in
 * `deploy/` on free loopback ports in a temp folder of its own, and stopped (folder removed) after.
 * Only ports and paths of the repo's config are rewritten; every rewrite must match, so a config
 * change that the tests no longer cover fails loudly instead of being skipped. Mosquitto lives in
 * scripts/lib/mosquitto.ts (the MQTT benchmark starts it too).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort, requireCommand, rewriteConfig, stopProcess, tempDir, trackProcess, waitForPort, type Certificates } from "../../scripts/lib/mosquitto";

export { freePort, makeCertificates, rewriteConfig, startMosquitto, type Certificates, type MosquittoHandle } from "../../scripts/lib/mosquitto";

const root = path.resolve(import.meta.dirname, "../..");

export interface NginxHandle {
  dir: string;
  httpsPort: number;
  httpPort: number;
  log(): string;
  stop(): Promise<void>;
}

/** nginx with `deploy/nginx/ecomate.conf` in front of 127.0.0.1:`upstreamPort`, TLS from `certificates`. */
export async function startNginx(options: { upstreamPort: number; certificates: Certificates }): Promise<NginxHandle> {
  const nginx = requireCommand("nginx", "apt-get install -y nginx-light (CI: .ci/run installs it)");
  const dir = tempDir("ecomate-nginx-");
  const httpsPort = await freePort();
  const httpPort = await freePort();
  const source = path.join(root, "deploy", "nginx", "ecomate.conf");
  const site = rewriteConfig(fs.readFileSync(source, "utf8"), source, [
    [/server 127\.0\.0\.1:3000;/, `server 127.0.0.1:${options.upstreamPort};`],
    [/^\s*listen \[::\]:443 .*$/m, ""],
    [/^\s*listen \[::\]:80;$/m, ""],
    [/listen 443 /, `listen 127.0.0.1:${httpsPort} `],
    [/listen 80;/, `listen 127.0.0.1:${httpPort};`],
    [/ssl_certificate \S+;/, `ssl_certificate ${options.certificates.serverCert};`],
    [/ssl_certificate_key \S+;/, `ssl_certificate_key ${options.certificates.serverKey};`],
  ]);
  fs.writeFileSync(path.join(dir, "ecomate.conf"), site);
  // What Debian's /etc/nginx/nginx.conf provides around a site, with everything in our folder.
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log info;`,
      "events { worker_connections 64; }",
      "http {",
      "  include /etc/nginx/mime.types;",
      "  default_type application/octet-stream;",
      `  access_log ${dir}/access.log;`,
      `  client_body_temp_path ${dir}/body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi;`,
      `  scgi_temp_path ${dir}/scgi;`,
      `  include ${dir}/ecomate.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  const child = spawn(nginx, ["-p", dir, "-c", path.join(dir, "nginx.conf")], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  trackProcess(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const log = () => {
    let file = "";
    try {
      file = fs.readFileSync(path.join(dir, "error.log"), "utf8");
    } catch {
      // not written yet
    }
    return `${stderr}${file}`.slice(-4000);
  };
  try {
    await waitForPort(httpsPort, child, log);
  } catch (error) {
    await stopProcess(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx with deploy/nginx/ecomate.conf ${(error as Error).message}`);
  }
  return {
    dir,
    httpsPort,
    httpPort,
    log,
    stop: async () => {
      // SIGTERM: the master stops its workers, then exits.
      await stopProcess(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
