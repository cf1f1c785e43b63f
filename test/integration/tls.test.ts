// TLS as deployed: Mosquitto's mqtts listener (deploy/mosquitto/ecomate-tls.conf) and nginx in front
// of the app (deploy/nginx/ecomate.conf), with a CA and server certificate made by openssl per run.
import { gzipSync } from "node:zlib";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevice } from "../../src/server/devices/manage-devices";
import { MQTT_SERVICE_USERNAME } from "../../src/server/env/mqtt-service";
import { withDynsec } from "../../src/server/mqtt/mosquitto-dynsec";
import { makeCertificates, startMosquitto, startNginx, type Certificates, type MosquittoHandle, type NginxHandle } from "./deploy-harness";
import { makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();
const actor = { type: "cli", label: "cli:tls-test" } as const;
const clients: MqttClient[] = [];

afterAll(async () => {
  for (const client of clients) await client.endAsync(true).catch(() => {});
});

describe("MQTT over TLS (Mosquitto mqtts listener)", () => {
  let mosquitto: MosquittoHandle & { certificates?: Certificates };
  let org: TestOrg;
  let ca: Buffer;

  beforeAll(async () => {
    org = await makeOrg(db, { systems: 1 });
    mosquitto = await startMosquitto("ecomate-tls.conf");
    ca = fs.readFileSync(mosquitto.certificates!.caCert);
    process.env.MOSQUITTO_DYNSEC_URL = mosquitto.adminUrl;
  });

  afterAll(async () => {
    delete process.env.MOSQUITTO_DYNSEC_URL;
    await mosquitto?.stop();
  });

  async function connect(url: string, options: mqtt.IClientOptions): Promise<MqttClient> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 15_000, ...options });
    clients.push(client);
    return client;
  }

  it("a device verifying the server with the CA connects over mqtts and publishes its telemetry", async () => {
    const servicePassword = `svc-${uid()}-${uid()}`;
    await withDynsec(mosquitto.adminUrl, (dynsec) => dynsec.ensurePlatformUser(servicePassword));
    const platform = await connect(`mqtt://127.0.0.1:${mosquitto.port}`, { username: MQTT_SERVICE_USERNAME, password: servicePassword });
    await platform.subscribeAsync("ecomate/v1/+/telemetry", { qos: 1 });
    const received = new Promise<string>((resolve) => platform.once("message", (topic, payload) => resolve(`${topic} ${payload.toString()}`)));

    const d = await createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! });
    const device = await connect(`mqtts://localhost:${mosquitto.tlsPort}`, { ca, username: d.id, password: d.token });
    const body = JSON.stringify({ metric: "flow_rate", value: 7.5 });
    await device.publishAsync(`ecomate/v1/${d.id}/telemetry`, body, { qos: 1 });
    await expect(received).resolves.toBe(`ecomate/v1/${d.id}/telemetry ${body}`);

    // Also by IP address (the certificate names 127.0.0.1 too).
    await (await connect(`mqtts://127.0.0.1:${mosquitto.tlsPort}`, { ca, username: d.id, password: d.token })).endAsync();
  });

  it("refuses a client that does not trust the CA, a wrong token over TLS, and plain MQTT on the TLS port", async () => {
    const d = await createDevice(db, { all: true }, actor, { systemCode: org.systemCodes[0]! });
    await expect(connect(`mqtts://localhost:${mosquitto.tlsPort}`, { username: d.id, password: d.token })).rejects.toThrow(
      /self[- ]signed certificate|unable to verify|unable to get local issuer/i,
    );
    await expect(connect(`mqtts://localhost:${mosquitto.tlsPort}`, { ca, username: d.id, password: "wrong" })).rejects.toThrow(
      /Not authorized|Bad user name or password/i,
    );
    await expect(connect(`mqtt://127.0.0.1:${mosquitto.tlsPort}`, { username: d.id, password: d.token, connectTimeout: 2_000 })).rejects.toThrow();
  });
});

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

describe("HTTPS through nginx (deploy/nginx/ecomate.conf)", () => {
  let upstream: http.Server;
  let nginx: NginxHandle;
  let ca: Buffer;
  let certDir: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    // A stand-in for the web server: records each request and answers like the ingest route.
    upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(202, { "content-type": "application/json" });
        res.end(JSON.stringify({ accepted: 1, duplicates: 0 }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const address = upstream.address();
    const upstreamPort = typeof address === "object" && address ? address.port : 0;

    certDir = fs.mkdtempSync("/tmp/ecomate-certs-");
    const certificates = makeCertificates(certDir);
    ca = fs.readFileSync(certificates.caCert);
    nginx = await startNginx({ upstreamPort, certificates });
  });

  afterAll(async () => {
    await nginx?.stop();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
    if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
  });

  function request(
    url: string,
    options: https.RequestOptions & { body?: Buffer } = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const client = url.startsWith("https:") ? https : http;
      const req = client.request(url, { ca, ...options }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      req.end(options.body);
    });
  }

  it("passes an HTTPS ingest request through with X-Forwarded-Proto https, the host and the gzip body unchanged", async () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ metric: "flow_rate", value: 9.8 })));
    const response = await request(`https://localhost:${nginx.httpsPort}/api/ingest`, {
      method: "POST",
      headers: { authorization: "Bearer ecm_test", "content-type": "application/json", "content-encoding": "gzip" },
      body,
    });
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ accepted: 1, duplicates: 0 });

    const got = seen.at(-1)!;
    expect(got.method).toBe("POST");
    expect(got.url).toBe("/api/ingest");
    expect(got.headers["x-forwarded-proto"]).toBe("https");
    expect(got.headers["x-forwarded-host"]).toBe(`localhost:${nginx.httpsPort}`);
    expect(got.headers.host).toBe(`localhost:${nginx.httpsPort}`);
    expect(got.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(got.headers.authorization).toBe("Bearer ecm_test");
    expect(got.headers["content-encoding"]).toBe("gzip");
    expect(got.body.equals(body)).toBe(true);
  });

  it("accepts bodies up to 5 MB and answers larger ones with a JSON 413", async () => {
    const big = Buffer.alloc(4.5 * 1024 * 1024, "a");
    expect((await request(`https://localhost:${nginx.httpsPort}/api/ingest`, { method: "POST", body: big })).status).toBe(202);
    expect(seen.at(-1)!.body.length).toBe(big.length);

    const tooBig = await request(`https://localhost:${nginx.httpsPort}/api/ingest`, { method: "POST", body: Buffer.alloc(6 * 1024 * 1024, "a") });
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body)).toMatchObject({ error: { code: "too_large" } });
  });

  it("redirects plain HTTP to HTTPS and is refused by a client that does not trust the CA", async () => {
    const redirect = await request(`http://localhost:${nginx.httpPort}/fleet?x=1`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://localhost/fleet?x=1`);

    await expect(request(`https://localhost:${nginx.httpsPort}/api/health`, { ca: undefined })).rejects.toThrow(
      /self[- ]signed certificate|unable to verify|unable to get local issuer/i,
    );
  });
});
