import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit";

describe("RateLimiter", () => {
  it("allows the burst, then the sustained rate, per key", () => {
    let now = 0;
    const rl = new RateLimiter(50, 100, () => now);
    for (let i = 0; i < 100; i++) expect(rl.take("a")).toBe(0);
    const wait = rl.take("a");
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1 / 50 + 1e-9);
    expect(rl.take("b")).toBe(0); // another device is not affected
    now += 1000; // one second refills 50 tokens
    let allowed = 0;
    while (rl.take("a") === 0) allowed++;
    expect(allowed).toBe(50);
  });
});
