/**
 * The embedded MQTT broker (aedes) used by `npm run demo` when no MQTT_URL is set: MQTT 3.1.1
 * over TCP on the loopback. aedes has no MQTT 5 and no shared subscriptions.
 *
 * Authentication and authorisation are optional hooks so that device credentials can be wired in
 * without touching the broker itself; without hooks every client may do everything.
 */
import net from "node:net";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import { moduleLogger } from "@/server/logger";
import type { InfraLog } from "@/server/infra/embedded-postgres";

export interface BrokerClientInfo {
  clientId: string;
  /** The username given at CONNECT (undefined for anonymous clients). */
  username: string | undefined;
}

export type AuthenticateHook = (
  input: BrokerClientInfo & { password: Buffer | undefined },
) => boolean | Promise<boolean>;
export type AuthorizePublishHook = (
  input: BrokerClientInfo & { topic: string; payload: Buffer },
) => boolean | Promise<boolean>;
export type AuthorizeSubscribeHook = (
  input: BrokerClientInfo & { topic: string; qos: number },
) => boolean | Promise<boolean>;

export interface StartEmbeddedBrokerOptions {
  port: number;
  host?: string;
  log?: InfraLog;
  /** Return false to refuse the connection (CONNACK 4, bad username or password). */
  authenticate?: AuthenticateHook;
  /** Return false to refuse a publish (MQTT 3.1.1 has no negative PUBACK: the client is disconnected). */
  authorizePublish?: AuthorizePublishHook;
  /** Return false to refuse a subscription (SUBACK 0x80 for that topic). */
  authorizeSubscribe?: AuthorizeSubscribeHook;
}

export interface EmbeddedBrokerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function badCredentials(message: string): AuthenticateError {
  // 4 = AuthErrorCode.BAD_USERNAME_OR_PASSWORD (a const enum, not importable at runtime).
  return Object.assign(new Error(message), { returnCode: 4 as const }) as AuthenticateError;
}

export async function startEmbeddedBroker(options: StartEmbeddedBrokerOptions): Promise<EmbeddedBrokerHandle> {
  const log = options.log ?? moduleLogger("embedded-broker");
  const host = options.host ?? "127.0.0.1";
  const usernames = new WeakMap<Client, string | undefined>();
  const info = (client: Client): BrokerClientInfo => ({ clientId: client.id, username: usernames.get(client) });

  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      usernames.set(client, username);
      if (!options.authenticate) return done(null, true);
      Promise.resolve()
        .then(() => options.authenticate?.({ clientId: client.id, username, password }))
        .then(
          (ok) => (ok ? done(null, true) : done(badCredentials("Bad username or password"), false)),
          (error: unknown) => {
            log.error({ err: error, clientId: client.id }, "authenticate hook failed");
            done(badCredentials("Authentication failed"), false);
          },
        );
    },
    authorizePublish: (client, packet, done) => {
      // client is null for messages the broker publishes itself ($SYS).
      if (!options.authorizePublish || !client) return done(null);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      Promise.resolve()
        .then(() => options.authorizePublish?.({ ...info(client), topic: packet.topic, payload }))
        .then(
          (ok) => done(ok ? null : new Error(`publish to ${packet.topic} not allowed`)),
          (error: unknown) => {
            log.error({ err: error, clientId: client.id }, "authorizePublish hook failed");
            done(new Error("publish authorisation failed"));
          },
        );
    },
    authorizeSubscribe: (client, subscription, done) => {
      if (!options.authorizeSubscribe) return done(null, subscription);
      Promise.resolve()
        .then(() => options.authorizeSubscribe?.({ ...info(client), topic: subscription.topic, qos: subscription.qos }))
        .then(
          // A null subscription makes aedes answer 0x80 (failure) for this topic only.
          (ok) => done(null, ok ? subscription : null),
          (error: unknown) => {
            log.error({ err: error, clientId: client.id }, "authorizeSubscribe hook failed");
            done(null, null);
          },
        );
    },
  });

  broker.on("clientError", (client, error) => log.debug({ clientId: client.id, err: error.message }, "client error"));
  broker.on("connectionError", (client, error) => log.debug({ clientId: client.id, err: error.message }, "connection error"));

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    broker.handle(socket);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: options.port, host, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      throw new Error(
        `Port ${options.port} on ${host} is already in use by another program, so the embedded MQTT broker cannot start there. ` +
          "Stop that program, set EMBEDDED_MQTT_PORT to a free port, or set MQTT_URL to use an existing broker.",
      );
    }
    throw error;
  }
  server.on("error", (error) => log.error({ err: error }, "broker server error"));

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  log.info({ host, port }, "embedded MQTT broker listening");

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      log.info({ port }, "embedded MQTT broker stopped");
    })());

  return { url: `mqtt://${urlHost}:${port}`, port, stop };
}
