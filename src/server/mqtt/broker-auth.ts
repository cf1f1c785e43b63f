/**
 * Device authentication and topic ACLs for the embedded MQTT broker (contracts.md, "MQTT").
 *
 * - A device connects with username = device id and password = its token, checked by
 *   `IngestDirectory.verifyDevice` (the same cached check as HTTP ingest). It may publish only
 *   `ecomate/v1/{id}/telemetry` and `.../commands/ack`, and subscribe only `.../errors` and `.../commands`.
 * - Platform processes (worker, health check, CLI) connect as `ecomate-platform` with the service
 *   password and may do everything. Client ids starting with `ecomate-` are theirs: a device may not
 *   use one, or it could take over (and so disconnect) the worker's session.
 * - A device revoked or rotated in any process is refused at its next CONNECT, and its open
 *   connections are closed at once: on `ecomate_device_changed` we re-verify the credentials every
 *   connected client of that device authenticated with, and end those that no longer hold.
 *
 * The hooks only see client ids, not connections, so a connection is closed by a session takeover
 * (MQTT 3.1.1 §3.1.4: a CONNECT with a client id already connected makes the broker close the older
 * connection): the platform connects with that client id and leaves at once.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import mqtt from "mqtt";
import pg from "pg";
import { DEVICE_ID_PATTERN } from "@/server/devices/device-token";
import { DEVICE_CHANGED_CHANNEL } from "@/server/devices/manage-devices";
import { MQTT_SERVICE_USERNAME, withMqttCredentials } from "@/server/env/mqtt-service";
import {
  startEmbeddedBroker,
  type AuthenticateHook,
  type AuthorizePublishHook,
  type AuthorizeSubscribeHook,
  type EmbeddedBrokerHandle,
} from "@/server/infra/embedded-broker";
import { moduleLogger, type Logger } from "@/server/logger";
import { IngestDirectory, type DeviceIdentity } from "@/server/telemetry/ingest-directory";

/** Client ids with this prefix belong to platform processes (`ecomate-worker-…`, `ecomate-health-…`). */
export const PLATFORM_CLIENT_ID_PREFIX = "ecomate-";

const RECHECK_INTERVAL_MS = 30_000;
const LISTEN_RETRY_MS = 2_000;
const TAKEOVER_TIMEOUT_MS = 5_000;

/** The topics of one device (contracts.md). */
export function deviceTopics(deviceId: string) {
  const base = `ecomate/v1/${deviceId}`;
  return {
    telemetry: `${base}/telemetry`,
    commandAck: `${base}/commands/ack`,
    errors: `${base}/errors`,
    commands: `${base}/commands`,
  };
}

/** Whether device `deviceId` may publish on `topic`: its telemetry and its command acknowledgements. */
export function devicePublishAllowed(deviceId: string, topic: string): boolean {
  const t = deviceTopics(deviceId);
  return topic === t.telemetry || topic === t.commandAck;
}

/** Whether device `deviceId` may subscribe to `topic` (exact filters, no wildcards). */
export function deviceSubscribeAllowed(deviceId: string, topic: string): boolean {
  const t = deviceTopics(deviceId);
  return topic === t.errors || topic === t.commands;
}

/** What broker auth needs from the ingest directory. */
export type DeviceVerifier = Pick<IngestDirectory, "verifyDevice" | "forgetDevices">;

export interface BrokerAuthOptions {
  directory: DeviceVerifier;
  /** The password of the platform user `ecomate-platform`. */
  servicePassword: string;
  /** Closes the connection of a client id; without it, stale connections are only logged. */
  disconnect?: (clientId: string) => Promise<void>;
  log?: Logger;
}

interface DeviceConnection {
  deviceId: string;
  /** Kept in memory only, to re-verify the connection when its device changes. */
  token: string;
}

function sha256(value: string | Buffer): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * The hooks for `startEmbeddedBroker` plus the re-verification of connected devices. One instance
 * per broker; `recheckDevice` is called on device-change notifications.
 */
export class BrokerAuth {
  /** Device connections by client id, from their CONNECT on (entries of closed ones are harmless). */
  private readonly connections = new Map<string, DeviceConnection>();
  private readonly servicePasswordHash: Buffer;
  private readonly log: Logger;
  private disconnectClient: ((clientId: string) => Promise<void>) | undefined;

  constructor(private readonly options: BrokerAuthOptions) {
    this.servicePasswordHash = sha256(options.servicePassword);
    this.log = options.log ?? moduleLogger("broker-auth");
    this.disconnectClient = options.disconnect;
  }

  setDisconnect(disconnect: (clientId: string) => Promise<void>): void {
    this.disconnectClient = disconnect;
  }

  /** Number of device connections being watched (tests, diagnostics). */
  get watchedConnections(): number {
    return this.connections.size;
  }

  readonly authenticate: AuthenticateHook = async ({ clientId, username, password }) => {
    if (!username || !password) {
      this.log.info({ clientId }, "MQTT connection without credentials refused");
      return false;
    }
    if (username === MQTT_SERVICE_USERNAME) {
      // Equal-length digests, so the comparison time says nothing about the password.
      const ok = timingSafeEqual(sha256(password), this.servicePasswordHash);
      if (!ok) this.log.warn({ clientId }, "MQTT platform user refused: wrong service password");
      return ok;
    }
    if (!DEVICE_ID_PATTERN.test(username)) {
      this.log.info({ clientId, username }, "MQTT connection refused: the username is not a device id");
      return false;
    }
    if (clientId.startsWith(PLATFORM_CLIENT_ID_PREFIX)) {
      this.log.warn({ clientId, deviceId: username }, `MQTT device refused: client ids starting with "${PLATFORM_CLIENT_ID_PREFIX}" are reserved for the platform`);
      return false;
    }
    const token = password.toString("utf8");
    const identity = await this.options.directory.verifyDevice(username, token);
    if (!identity) {
      this.log.info({ clientId, deviceId: username }, "MQTT device refused: unknown device, wrong token, or revoked");
      return false;
    }
    this.connections.set(clientId, { deviceId: username, token });
    return true;
  };

  readonly authorizePublish: AuthorizePublishHook = ({ clientId, username, topic }) => {
    if (username === MQTT_SERVICE_USERNAME) return true;
    const ok = username !== undefined && devicePublishAllowed(username, topic);
    if (!ok) this.log.info({ clientId, deviceId: username, topic }, "MQTT publish refused; disconnecting the client");
    return ok;
  };

  readonly authorizeSubscribe: AuthorizeSubscribeHook = ({ clientId, username, topic }) => {
    if (username === MQTT_SERVICE_USERNAME) return true;
    const ok = username !== undefined && deviceSubscribeAllowed(username, topic);
    if (!ok) this.log.info({ clientId, deviceId: username, topic }, "MQTT subscription refused");
    return ok;
  };

  /** The three hooks, to spread into `startEmbeddedBroker`'s options. */
  get hooks() {
    return { authenticate: this.authenticate, authorizePublish: this.authorizePublish, authorizeSubscribe: this.authorizeSubscribe };
  }

  /**
   * Re-verifies the connections of `deviceId` against fresh data and closes those whose device was
   * revoked or whose token was rotated away. Returns the client ids it closed.
   */
  async recheckDevice(deviceId: string): Promise<string[]> {
    // Our notification may arrive before the directory's own: never trust its cache here.
    this.options.directory.forgetDevices();
    return this.recheck((connection) => connection.deviceId === deviceId);
  }

  /** Re-verifies every watched connection (periodically, and after missed notifications). */
  async recheckAll(options: { fresh?: boolean } = {}): Promise<string[]> {
    if (options.fresh) this.options.directory.forgetDevices();
    return this.recheck(() => true);
  }

  private async recheck(select: (connection: DeviceConnection) => boolean): Promise<string[]> {
    const stale: [string, DeviceConnection][] = [];
    for (const [clientId, connection] of [...this.connections]) {
      if (!select(connection)) continue;
      let identity: DeviceIdentity | null;
      try {
        identity = await this.options.directory.verifyDevice(connection.deviceId, connection.token);
      } catch (error) {
        this.log.warn({ err: (error as Error).message, deviceId: connection.deviceId }, "could not re-verify a device connection; will retry");
        continue;
      }
      // Skip when the client id reconnected meanwhile (with other credentials).
      if (identity || this.connections.get(clientId) !== connection) continue;
      this.connections.delete(clientId);
      stale.push([clientId, connection]);
    }
    await Promise.all(stale.map(([clientId, { deviceId }]) => this.close(clientId, deviceId)));
    return stale.map(([clientId]) => clientId);
  }

  private async close(clientId: string, deviceId: string): Promise<void> {
    if (!this.disconnectClient) {
      this.log.warn({ clientId, deviceId }, "device credentials no longer valid, but this broker cannot close connections");
      return;
    }
    try {
      await this.disconnectClient(clientId);
      this.log.info({ clientId, deviceId }, "closed the MQTT connection of a revoked or rotated device");
    } catch (error) {
      this.log.error({ err: (error as Error).message, clientId, deviceId }, "could not close the MQTT connection of a revoked or rotated device");
    }
  }
}

/**
 * Closes the connection holding `clientId` on the broker at `brokerUrl` by a session takeover as the
 * platform user, then leaves. A no-op when no client holds that id.
 */
export async function takeOverClientId(brokerUrl: string, servicePassword: string, clientId: string): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId,
    username: MQTT_SERVICE_USERNAME,
    password: servicePassword,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: TAKEOVER_TIMEOUT_MS,
  });
  await client.endAsync();
}

/**
 * LISTENs on `ecomate_device_changed` with its own connection, reconnecting while not closed.
 * `resumed` runs after each (re)connect: notifications may have been missed while away.
 */
export class DeviceChangeListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly handlers: { changed(deviceId: string): void; resumed(): void },
    private readonly log: Logger = moduleLogger("broker-auth"),
  ) {}

  async start(): Promise<void> {
    if (this.closed || this.client) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "ecomate-broker-auth" });
    this.client = client;
    client.on("notification", (n) => {
      if (n.channel === DEVICE_CHANGED_CHANNEL && n.payload) this.handlers.changed(n.payload);
    });
    client.on("error", (error) => {
      this.log.warn({ err: error.message }, "device-change listener lost; reconnecting");
      this.reconnect(client);
    });
    client.on("end", () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${DEVICE_CHANGED_CHANNEL}`);
      this.handlers.resumed();
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "could not listen for device changes; retrying");
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners();
    client.on("error", () => {});
    void client.end().catch(() => {});
    if (!this.closed) this.retry = setTimeout(() => void this.start(), LISTEN_RETRY_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners();
      client.on("error", () => {});
      await client.end().catch(() => {});
    }
  }
}

export interface StartAuthenticatedBrokerOptions {
  port: number;
  host?: string;
  databaseUrl: string;
  servicePassword: string;
  log?: Logger;
  /** How often every device connection is re-verified besides notifications (default 30 s). */
  recheckIntervalMs?: number;
}

export interface AuthenticatedBrokerHandle extends EmbeddedBrokerHandle {
  /** The broker URL with the platform user's credentials (for the worker, health check, CLI). */
  serviceUrl: string;
  auth: BrokerAuth;
}

/**
 * The embedded broker with device authentication and ACLs, its own small database pool, an ingest
 * directory and a device-change listener; `stop()` ends all of it.
 */
export async function startAuthenticatedBroker(options: StartAuthenticatedBrokerOptions): Promise<AuthenticatedBrokerHandle> {
  const log = options.log ?? moduleLogger("broker-auth");
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 3, idleTimeoutMillis: 30_000, application_name: "ecomate-broker-auth" });
  pool.on("error", (error) => log.warn({ err: error.message }, "idle database connection failed"));
  const directory = new IngestDirectory(pool, options.databaseUrl);
  const auth = new BrokerAuth({ directory, servicePassword: options.servicePassword, log });

  const recheck = (run: () => Promise<string[]>) =>
    void run().catch((error: unknown) => log.error({ err: error }, "re-verifying device connections failed"));
  const listener = new DeviceChangeListener(
    options.databaseUrl,
    {
      changed: (deviceId) => recheck(() => auth.recheckDevice(deviceId)),
      resumed: () => recheck(() => auth.recheckAll({ fresh: true })),
    },
    log,
  );

  let broker: EmbeddedBrokerHandle;
  try {
    await Promise.all([directory.listen(), listener.start()]);
    broker = await startEmbeddedBroker({ port: options.port, host: options.host, log, ...auth.hooks });
  } catch (error) {
    await listener.close();
    await directory.close();
    await pool.end().catch(() => {});
    throw error;
  }
  auth.setDisconnect((clientId) => takeOverClientId(broker.url, options.servicePassword, clientId));
  const sweep = setInterval(() => recheck(() => auth.recheckAll()), options.recheckIntervalMs ?? RECHECK_INTERVAL_MS);
  sweep.unref();


  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(sweep);
      await listener.close();
      await broker.stop();
      await directory.close();
      await pool.end().catch(() => {});
    })());

  return { url: broker.url, port: broker.port, serviceUrl: withMqttCredentials(broker.url, MQTT_SERVICE_USERNAME, options.servicePassword), auth, stop };
}
