/**
 * Device credentials on Mosquitto's dynamic-security plugin, for deployments that use Mosquitto
 * instead of the embedded broker (docs/deploy.md).
 *
 * When MOSQUITTO_DYNSEC_URL is set (`mqtt://admin:password@host:1883`, an admin of the plugin), a
 * device created or rotated gets a Mosquitto client (username = device id, password = the plaintext
 * token) with a role of its own that allows only its topics; a revoked device's client and role are
 * deleted, which also closes its open connections. Commands are JSON on `$CONTROL/dynamic-security/v1`,
 * answers arrive on `$CONTROL/dynamic-security/v1/response` and are matched by `correlationData`.
 *
 * Only token hashes are stored, so `syncBrokerDevices` can remove revoked devices and repair roles,
 * but never re-create a missing password: such devices are reported, and `ecomate devices rotate <id>`
 * gives them a new token that is registered at once.
 */
import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import type { Db } from "@/server/db";
import { DEVICE_ID_PATTERN } from "@/server/devices/device-token";
import { parseCoreEnv, type CoreEnv } from "@/server/env/core";
import { MQTT_SERVICE_USERNAME, redactMqttUrl, resolveMqttServicePassword } from "@/server/env/mqtt-service";
import { AppError } from "@/server/errors";
import { moduleLogger } from "@/server/logger";

export const DYNSEC_COMMAND_TOPIC = "$CONTROL/dynamic-security/v1";
export const DYNSEC_RESPONSE_TOPIC = "$CONTROL/dynamic-security/v1/response";
/** The role of the platform user: shared telemetry subscription, errors and commands to devices. */
export const PLATFORM_ROLE = "ecomate-platform";
export const SHARED_SUBSCRIPTION_GROUP = "ecomate-workers";
const DEVICE_ROLE_PREFIX = "ecomate-device-";

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 5_000;
const RETRY_DELAYS_MS = [300, 1_000];

const log = moduleLogger("mosquitto-dynsec");

export type DynsecAclType = "publishClientSend" | "publishClientReceive" | "subscribeLiteral" | "subscribePattern" | "unsubscribeLiteral" | "unsubscribePattern";

export interface DynsecAcl {
  acltype: DynsecAclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
}

/** The broker could not be reached or did not answer; worth retrying. */
export class DynsecUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DynsecUnavailableError";
  }
}

/** The plugin refused a command (bad admin rights, bad input): retrying will not help. */
export class DynsecCommandError extends Error {
  constructor(readonly command: string, readonly brokerError: string) {
    super(`dynamic-security ${command} failed: ${brokerError}`);
    this.name = "DynsecCommandError";
  }
}

export function deviceRoleName(deviceId: string): string {
  return `${DEVICE_ROLE_PREFIX}${deviceId}`;
}

/** A device's own topics (contracts.md): publish telemetry and acks, subscribe errors and commands. */
export function deviceRoleAcls(deviceId: string): DynsecAcl[] {
  const base = `ecomate/v1/${deviceId}`;
  return [
    { acltype: "publishClientSend", topic: `${base}/telemetry`, allow: true },
    { acltype: "publishClientSend", topic: `${base}/commands/ack`, allow: true },
    { acltype: "subscribeLiteral", topic: `${base}/errors`, allow: true },
    { acltype: "subscribeLiteral", topic: `${base}/commands`, allow: true },
  ];
}

/** The platform user: telemetry and acks of every device (plain or shared), errors and commands to them. */
export function platformRoleAcls(): DynsecAcl[] {
  const share = `$share/${SHARED_SUBSCRIPTION_GROUP}/`;
  const subscribe = ["ecomate/v1/+/telemetry", "ecomate/v1/+/commands/ack"].flatMap((t) => [t, share + t]);
  return [
    ...subscribe.map((topic): DynsecAcl => ({ acltype: "subscribePattern", topic, allow: true })),
    { acltype: "subscribePattern", topic: "ecomate/platform/#", allow: true },
    { acltype: "publishClientSend", topic: "ecomate/v1/+/errors", allow: true },
    { acltype: "publishClientSend", topic: "ecomate/v1/+/commands", allow: true },
    { acltype: "publishClientSend", topic: "ecomate/platform/#", allow: true },
  ];
}

const alreadyExists = (error: string | undefined) => error !== undefined && /already exists|already has/i.test(error);
const notFound = (error: string | undefined) => error !== undefined && /not found/i.test(error);

/** One admin connection to the dynamic-security plugin. */
export class MosquittoDynsec {
  private readonly pending = new Map<string, { resolve: (r: DynsecResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private sequence = 0;
  private readonly prefix = randomBytes(4).toString("hex");

  private constructor(private readonly client: MqttClient, private readonly where: string) {
    client.on("message", (_topic, payload) => this.onResponse(payload));
    client.on("close", () => this.failAll(new DynsecUnavailableError(`connection to ${this.where} closed`)));
  }

  /** Connects as the admin named in `url` (`mqtt[s]://user:password@host:port`). */
  static async connect(url: string): Promise<MosquittoDynsec> {
    const parsed = new URL(url);
    const username = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    parsed.username = "";
    parsed.password = "";
    const where = redactMqttUrl(url);
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(parsed.toString(), {
        username: username || undefined,
        password: password || undefined,
        clientId: `ecomate-dynsec-${randomBytes(4).toString("hex")}`,
        protocolVersion: 5,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: CONNECT_TIMEOUT_MS,
      });
    } catch (error) {
      throw new DynsecUnavailableError(`cannot connect to Mosquitto at ${where}: ${(error as Error).message}`);
    }
    try {
      const granted = await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
      if (granted.some((g) => g.qos >= 128)) throw new Error("not authorised to read dynamic-security responses");
    } catch (error) {
      client.end(true);
      throw new DynsecCommandError("subscribe", `${(error as Error).message} (is "${username}" a dynamic-security admin at ${where}?)`);
    }
    return new MosquittoDynsec(client, where);
  }

  async close(): Promise<void> {
    this.failAll(new DynsecUnavailableError("connection closed"));
    await this.client.endAsync().catch(() => {});
  }

  /** Sends the commands in one message; resolves with the responses in the same order. */
  async send(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    if (commands.length === 0) return [];
    const ids = commands.map(() => `${this.prefix}-${++this.sequence}`);
    const answers = ids.map(
      (id, i) =>
        new Promise<DynsecResponse>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.pending.delete(id);
            reject(new DynsecUnavailableError(`no answer from ${this.where} to ${commands[i]?.command} within ${COMMAND_TIMEOUT_MS / 1000} s`));
          }, COMMAND_TIMEOUT_MS);
          this.pending.set(id, { resolve, reject, timer });
        }),
    );
    const body = JSON.stringify({ commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) });
    try {
      await this.client.publishAsync(DYNSEC_COMMAND_TOPIC, body, { qos: 1 });
    } catch (error) {
      for (const id of ids) this.settle(id, null, new DynsecUnavailableError(`publishing to ${this.where} failed: ${(error as Error).message}`));
    }
    return Promise.all(answers);
  }

  /** Like `send`, but throws on any error that `tolerate` does not accept. */
  private async run(commands: DynsecCommand[], tolerate: (error: string | undefined) => boolean = () => false): Promise<DynsecResponse[]> {
    const responses = await this.send(commands);
    const failed = responses.find((r) => r.error !== undefined && !tolerate(r.error));
    if (failed) throw new DynsecCommandError(failed.command, failed.error ?? "unknown error");
    return responses;
  }

  private onResponse(payload: Buffer): void {
    let parsed: { responses?: (DynsecResponse & { correlationData?: string })[] };
    try {
      parsed = JSON.parse(payload.toString("utf8")) as typeof parsed;
    } catch {
      return;
    }
    for (const response of parsed.responses ?? []) {
      if (response.correlationData) this.settle(response.correlationData, response, null);
    }
  }

  private settle(id: string, response: DynsecResponse | null, error: Error | null): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (response) entry.resolve({ command: response.command, error: response.error, data: response.data });
    else entry.reject(error ?? new Error("no response"));
  }

  private failAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, null, error);
  }

  /** Creates `role` with `acls`, or adds the missing ACLs to an existing one. */
  async ensureRole(rolename: string, acls: DynsecAcl[]): Promise<void> {
    const [created] = await this.run([{ command: "createRole", rolename, acls }], alreadyExists);
    if (created?.error) await this.run(acls.map((acl) => ({ command: "addRoleACL", rolename, ...acl })), alreadyExists);
  }

  /** Client `username` with `password` and `role`: created, or its password reset and re-enabled. */
  async upsertClient(username: string, password: string, rolename: string, textname: string): Promise<"created" | "updated"> {
    const [created] = await this.run(
      [{ command: "createClient", username, password, textname, roles: [{ rolename }] }],
      alreadyExists,
    );
    if (!created?.error) return "created";
    // setClientPassword also closes the client's open connections (they used the old password).
    await this.run([
      { command: "setClientPassword", username, password },
      { command: "enableClient", username },
    ]);
    await this.ensureClientRole(username, rolename);
    return "updated";
  }

  /** Adds `rolename` to the client unless it has it (Mosquitto 2.0 answers a duplicate with "Internal error"). */
  async ensureClientRole(username: string, rolename: string): Promise<void> {
    const client = await this.getClient(username);
    if (client && !client.roles.includes(rolename)) await this.run([{ command: "addClientRole", username, rolename }]);
  }

  /** A client with its roles, or null when there is none. */
  async getClient(username: string): Promise<DynsecClientInfo | null> {
    const [response] = await this.run([{ command: "getClient", username }], notFound);
    if (response?.error) return null;
    return toClientInfo((response?.data as { client?: RawDynsecClient } | undefined)?.client ?? { username });
  }

  /** Registers (or re-keys) a device: its role, then its client with the plaintext token. */
  async registerDevice(deviceId: string, token: string): Promise<void> {
    assertDeviceId(deviceId);
    await this.ensureRole(deviceRoleName(deviceId), deviceRoleAcls(deviceId));
    await this.upsertClient(deviceId, token, deviceRoleName(deviceId), `EcoMate device ${deviceId}`);
  }

  /** Removes a device's client (closing its connections) and its role; absent ones are fine. */
  async unregisterDevice(deviceId: string): Promise<void> {
    assertDeviceId(deviceId);
    await this.run(
      [
        { command: "deleteClient", username: deviceId },
        { command: "deleteRole", rolename: deviceRoleName(deviceId) },
      ],
      notFound,
    );
  }

  /**
   * The platform role and user. An existing user keeps its password unless `resetPassword`
   * (a reset closes the platform's open connections, which then reconnect with the new one).
   */
  async ensurePlatformUser(password: string, options: { resetPassword?: boolean } = {}): Promise<"created" | "updated" | "present"> {
    await this.ensureRole(PLATFORM_ROLE, platformRoleAcls());
    const [created] = await this.run(
      [{ command: "createClient", username: MQTT_SERVICE_USERNAME, password, textname: "EcoMate platform", roles: [{ rolename: PLATFORM_ROLE }] }],
      alreadyExists,
    );
    if (!created?.error) return "created";
    await this.ensureClientRole(MQTT_SERVICE_USERNAME, PLATFORM_ROLE);
    if (!options.resetPassword) return "present";
    await this.run([{ command: "setClientPassword", username: MQTT_SERVICE_USERNAME, password }]);
    return "updated";
  }

  /** Every client of the plugin with its roles. */
  async listClients(): Promise<DynsecClientInfo[]> {
    const [response] = await this.run([{ command: "listClients", verbose: true }]);
    return ((response?.data as { clients?: RawDynsecClient[] } | undefined)?.clients ?? []).map(toClientInfo);
  }
}

export interface DynsecClientInfo {
  username: string;
  roles: string[];
  disabled: boolean;
}

interface RawDynsecClient {
  username: string;
  roles?: { rolename: string }[];
  disabled?: boolean;
}

function toClientInfo(c: RawDynsecClient): DynsecClientInfo {
  return { username: c.username, roles: (c.roles ?? []).map((r) => r.rolename), disabled: c.disabled === true };
}

function assertDeviceId(deviceId: string): void {
  // Device ids become ACL topics: a "+" or "#" in one would widen its rights.
  if (!DEVICE_ID_PATTERN.test(deviceId)) throw new Error(`"${deviceId}" is not a device id`);
}

/** Connects, runs `fn`, disconnects. */
export async function withDynsec<T>(url: string, fn: (dynsec: MosquittoDynsec) => Promise<T>): Promise<T> {
  const dynsec = await MosquittoDynsec.connect(url);
  try {
    return await fn(dynsec);
  } finally {
    await dynsec.close();
  }
}

/** MOSQUITTO_DYNSEC_URL, or undefined when device sync with Mosquitto is off. */
export function dynsecUrlFromEnv(): string | undefined {
  return parseCoreEnv().MOSQUITTO_DYNSEC_URL;
}

export type DeviceBrokerChange = { kind: "register"; deviceId: string; token: string } | { kind: "unregister"; deviceId: string };

/**
 * Applies one device change to Mosquitto when MOSQUITTO_DYNSEC_URL is set (a no-op otherwise).
 * An unreachable broker is retried twice (≈1.3 s); a refused command is not. Throws the last error.
 */
export async function syncDeviceToBroker(change: DeviceBrokerChange, url: string | undefined = dynsecUrlFromEnv()): Promise<void> {
  if (!url) return;
  for (let attempt = 0; ; attempt++) {
    try {
      await withDynsec(url, (dynsec) =>
        change.kind === "register" ? dynsec.registerDevice(change.deviceId, change.token) : dynsec.unregisterDevice(change.deviceId),
      );
      log.info({ deviceId: change.deviceId, change: change.kind }, "device synced to Mosquitto dynamic security");
      return;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (!(error instanceof DynsecUnavailableError) || delay === undefined) throw error;
      log.warn({ deviceId: change.deviceId, err: error.message, attempt: attempt + 1 }, "Mosquitto not reachable; retrying");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export interface BrokerSyncReport {
  platformUser: "created" | "updated" | "present" | "skipped";
  /** Active devices whose role was ensured and whose client exists. */
  registered: string[];
  /** Active devices without a client on the broker: rotate their token to register them. */
  missing: string[];
  /** Clients deleted: revoked devices, or device clients of devices that no longer exist. */
  removed: string[];
}

/**
 * Brings Mosquitto in line with the device registry: the platform role and user (when
 * `servicePassword` is given), each active device's role, revoked and unknown devices removed.
 * Passwords of devices missing on the broker cannot be restored (only hashes are stored): they are
 * listed in `missing`, and `ecomate devices rotate <id>` registers a new token for each.
 */
export async function syncBrokerDevices(
  db: Db,
  dynsec: MosquittoDynsec,
  options: { servicePassword?: string; resetPlatformPassword?: boolean } = {},
): Promise<BrokerSyncReport> {
  const report: BrokerSyncReport = { platformUser: "skipped", registered: [], missing: [], removed: [] };
  if (options.servicePassword) {
    report.platformUser = await dynsec.ensurePlatformUser(options.servicePassword, { resetPassword: options.resetPlatformPassword });
  }
  const devices = await db.device.findMany({ select: { id: true, revokedAt: true }, orderBy: { id: "asc" } });
  const active = new Set(devices.filter((d) => !d.revokedAt).map((d) => d.id));
  const clients = new Map((await dynsec.listClients()).map((c) => [c.username, c]));

  for (const [username, client] of clients) {
    if (active.has(username) || !DEVICE_ID_PATTERN.test(username)) continue;
    // Only clients that are ours: a known (revoked) device, or a client holding a device role.
    const known = devices.some((d) => d.id === username);
    if (!known && !client.roles.includes(deviceRoleName(username))) continue;
    await dynsec.unregisterDevice(username);
    report.removed.push(username);
  }
  for (const id of active) {
    await dynsec.ensureRole(deviceRoleName(id), deviceRoleAcls(id));
    const client = clients.get(id);
    if (!client) {
      report.missing.push(id);
      continue;
    }
    // A client that lost its role gets it back (a client disabled by hand stays disabled).
    if (!client.roles.includes(deviceRoleName(id))) await dynsec.ensureClientRole(id, deviceRoleName(id));
    report.registered.push(id);
  }
  return report;
}

/**
 * `ecomate broker sync`: `syncBrokerDevices` against MOSQUITTO_DYNSEC_URL, with the platform user's
 * password from MQTT_SERVICE_PASSWORD (else the data folder's secret).
 */
export async function syncBrokerFromEnv(
  db: Db,
  env: Pick<CoreEnv, "MOSQUITTO_DYNSEC_URL" | "MQTT_SERVICE_PASSWORD" | "ECOMATE_DATA_DIR"> = parseCoreEnv(),
  options: { resetPlatformPassword?: boolean } = {},
): Promise<BrokerSyncReport> {
  const url = env.MOSQUITTO_DYNSEC_URL;
  if (!url) {
    throw new AppError(
      "BAD_REQUEST",
      "MOSQUITTO_DYNSEC_URL is not set: give the dynamic-security admin of your Mosquitto, e.g. mqtt://admin:<password>@127.0.0.1:1883 (docs/deploy.md).",
    );
  }
  try {
    return await withDynsec(url, (dynsec) =>
      syncBrokerDevices(db, dynsec, { servicePassword: resolveMqttServicePassword(env), resetPlatformPassword: options.resetPlatformPassword }),
    );
  } catch (error) {
    if (error instanceof DynsecUnavailableError || error instanceof DynsecCommandError) throw new AppError("UNAVAILABLE", `Broker sync failed: ${error.message}`);
    throw error;
  }
}
