import { describe, expect, it } from "vitest";
import { httpStatusOf, isPermanentRefusal, newClientKey, outcomeFromError } from "./outcome";

/** The shape of a TRPCClientError as the queue sees it. */
function trpcError(message: string, httpStatus?: number) {
  return Object.assign(new Error(message), httpStatus === undefined ? {} : { data: { code: "X", httpStatus } });
}

describe("outcomeFromError", () => {
  it("drops refusals that will never succeed", () => {
    expect(outcomeFromError(trpcError("A corrective work order needs a failure mode to close (e.g. ELP external leakage)", 400))).toEqual({
      status: "rejected",
      message: "A corrective work order needs a failure mode to close (e.g. ELP external leakage)",
      httpStatus: 400,
    });
    expect(outcomeFromError(trpcError("Work order WO-7 is done", 403)).status).toBe("rejected");
    expect(outcomeFromError(trpcError("Work order not found", 404)).status).toBe("rejected");
    expect(outcomeFromError(trpcError("Someone else has it", 409)).status).toBe("rejected");
  });

  it("retries what has no answer, a server error, a sign-in, a timeout or a rate limit", () => {
    expect(outcomeFromError(new TypeError("Failed to fetch"))).toEqual({ status: "retry", message: "No answer from the server (Failed to fetch)" });
    expect(outcomeFromError(trpcError("Internal server error", 500))).toEqual({ status: "retry", message: "Internal server error" });
    expect(outcomeFromError(trpcError("Sign in to continue.", 401)).status).toBe("retry");
    expect(outcomeFromError(trpcError("timeout", 408)).status).toBe("retry");
    expect(outcomeFromError(trpcError("slow down", 429)).status).toBe("retry");
    expect(outcomeFromError(trpcError("bad gateway", 502)).status).toBe("retry");
  });

  it("reads the status from tRPC's data or a plain status field", () => {
    expect(httpStatusOf({ data: { httpStatus: 413 } })).toBe(413);
    expect(httpStatusOf({ status: 415 })).toBe(415);
    expect(httpStatusOf({ status: "415" })).toBeNull();
    expect(httpStatusOf(null)).toBeNull();
    expect(httpStatusOf("Failed")).toBeNull();
    expect(isPermanentRefusal(400)).toBe(true);
    expect(isPermanentRefusal(401)).toBe(false);
    expect(isPermanentRefusal(500)).toBe(false);
    expect(isPermanentRefusal(302)).toBe(false);
  });
});

describe("newClientKey", () => {
  it("uses randomUUID where the browser has it", () => {
    expect(newClientKey({ randomUUID: () => "11111111-2222-4333-8444-555555555555", getRandomValues: <T extends ArrayBufferView | null>(a: T) => a })).toBe("11111111-2222-4333-8444-555555555555");
  });

  it("builds a v4 UUID from getRandomValues on plain http", () => {
    const fill = <T extends ArrayBufferView | null>(a: T): T => {
      if (a instanceof Uint8Array) a.fill(0xff);
      return a;
    };
    const key = newClientKey({ getRandomValues: fill });
    // version nibble 4, variant bits 10xx
    expect(key).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
    expect(key.length).toBeGreaterThanOrEqual(8);
    expect(key.length).toBeLessThanOrEqual(64);
  });

  it("gives different keys each time", () => {
    const keys = new Set(Array.from({ length: 50 }, () => newClientKey({ getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) })));
    expect(keys.size).toBe(50);
  });
});
