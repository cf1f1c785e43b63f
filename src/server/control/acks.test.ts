import { describe, expect, it } from "vitest";
import { deviceTopics } from "@/server/mqtt/broker-auth";
import { commandAckTopic, MAX_ACK_BYTES, MAX_ACK_MESSAGE_CHARS, parseCommandAck, parseCommandAckTopic } from "./acks";

const parse = (body: unknown) => parseCommandAck(Buffer.from(typeof body === "string" ? body : JSON.stringify(body)));

describe("parseCommandAck", () => {
  it("accepts the contract's two answers, with and without a message", () => {
    expect(parse({ id: "cmd-1", status: "applied" })).toEqual({ ok: true, ack: { id: "cmd-1", status: "applied" } });
    expect(parse({ id: "cmd-2", status: "rejected", message: "pump_speed 130 % is above 100 %" })).toEqual({
      ok: true,
      ack: { id: "cmd-2", status: "rejected", message: "pump_speed 130 % is above 100 %" },
    });
    // a string payload works too; fields a device adds are ignored; null or blank message = none
    expect(parseCommandAck('{"id":"c","status":"applied","message":null,"firmware":"2.1"}')).toEqual({ ok: true, ack: { id: "c", status: "applied" } });
    expect(parse({ id: "c", status: "rejected", message: "   " })).toEqual({ ok: true, ack: { id: "c", status: "rejected" } });
  });

  it("refuses what is not JSON with bad_json and the parser's words", () => {
    const r = parse("{id: 1");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("bad_json");
    expect(r.reason).toMatch(/^The acknowledgement is not valid JSON \(.+\)\.$/);
  });

  it("names what is wrong with a JSON body that is not an ack", () => {
    const reason = (body: unknown) => {
      const r = parse(body);
      if (r.ok) throw new Error(`accepted ${JSON.stringify(body)}`);
      expect(r.code).toBe("invalid_ack");
      return r.reason;
    };
    expect(reason([1, 2])).toBe('The acknowledgement must be a JSON object {"id","status","message"?}, not an array.');
    expect(reason("null")).toBe('The acknowledgement must be a JSON object {"id","status","message"?}, not null.');
    expect(reason('"applied"')).toBe('The acknowledgement must be a JSON object {"id","status","message"?}, not string.');
    expect(reason({ status: "applied" })).toBe('"id" is missing: name the command being answered.');
    expect(reason({ id: 42, status: "applied" })).toBe('"id" must be the command\'s id as a string, not number.');
    expect(reason({ id: " ", status: "applied" })).toBe('"id" is empty: name the command being answered.');
    expect(reason({ id: "x".repeat(201), status: "applied" })).toBe('"id" is 201 characters long; command ids are at most 200.');
    expect(reason({ id: "c" })).toBe('"status" is missing: it must be "applied" or "rejected".');
    expect(reason({ id: "c", status: "done" })).toBe('"status" must be "applied" or "rejected", not "done".');
    expect(reason({ id: "c", status: "APPLIED" })).toBe('"status" must be "applied" or "rejected", not "APPLIED".');
    expect(reason({ id: "c", status: true })).toBe('"status" must be "applied" or "rejected", not boolean.');
    expect(reason({ id: "c", status: "rejected", message: { text: "no" } })).toBe('"message" must be a string, not object.');
  });

  it("cuts a long message and refuses an oversized payload", () => {
    const r = parse({ id: "c", status: "rejected", message: "é".repeat(MAX_ACK_MESSAGE_CHARS + 10) });
    expect(r.ok && r.ack.message?.length).toBe(MAX_ACK_MESSAGE_CHARS);
    const big = Buffer.from(JSON.stringify({ id: "c", status: "applied", message: "x".repeat(MAX_ACK_BYTES) }));
    const refused = parseCommandAck(big);
    expect(refused).toEqual({ ok: false, code: "invalid_ack", reason: `The acknowledgement is ${big.length} bytes; at most ${MAX_ACK_BYTES} are accepted.` });
  });
});

describe("ack topics", () => {
  it("are the contract's topics, the ones the broker lets a device publish", () => {
    expect(commandAckTopic("nbg-01-gw")).toBe("ecomate/v1/nbg-01-gw/commands/ack");
    expect(commandAckTopic("nbg-01-gw")).toBe(deviceTopics("nbg-01-gw").commandAck);
    expect(parseCommandAckTopic("ecomate/v1/nbg-01-gw/commands/ack")).toEqual({ deviceId: "nbg-01-gw" });
  });

  it("parse nothing else", () => {
    for (const topic of ["ecomate/v1/nbg-01-gw/commands", "ecomate/v1/nbg-01-gw/telemetry", "ecomate/v1//commands/ack", "ecomate/v2/d/commands/ack", "x/ecomate/v1/d/commands/ack", "ecomate/v1/d/commands/ack/x"]) {
      expect(parseCommandAckTopic(topic)).toBeNull();
    }
  });
});
