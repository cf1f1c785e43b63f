import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "./password";

const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery", cheap);
    expect(hash.startsWith("scrypt$1024$8$1$")).toBe(true);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
  });
  it("salts: two hashes of one password differ", async () => {
    expect(await hashPassword("same password!", cheap)).not.toBe(await hashPassword("same password!", cheap));
  });
  it("uses the default cost (N=2^17) when none is given", async () => {
    const hash = await hashPassword("default cost pw");
    expect(hash.split("$")[1]).toBe(String(2 ** 17));
    expect(await verifyPassword("default cost pw", hash)).toBe(true);
  });
  it("refuses malformed stored hashes instead of throwing", async () => {
    expect(await verifyPassword("x", "plaintext")).toBe(false);
    expect(await verifyPassword("x", "bcrypt$1$2$3$4$5")).toBe(false);
  });
  it("names what is wrong with a weak password", () => {
    expect(passwordProblem("short")).toMatch(/at least 10/);
    expect(passwordProblem("long enough password")).toBeNull();
  });
});
