import { describe, expect, it } from "vitest";
import { componentPath, labelPath, originFromHeaders } from "./label";

const h = (values: Record<string, string>) => new Headers(values);

describe("component labels", () => {
  it("addresses the component page, encoding codes", () => {
    expect(componentPath("NBG-01", "pump-1")).toBe("/systems/NBG-01/components/pump-1");
    expect(componentPath("A B", "x/y")).toBe("/systems/A%20B/components/x%2Fy");
    expect(labelPath("NBG-01", "uv-1")).toBe("/systems/NBG-01/components/uv-1/label");
  });

  it("takes the origin from the request, preferring what a proxy forwarded", () => {
    expect(originFromHeaders(h({ host: "127.0.0.1:3100" }))).toBe("http://127.0.0.1:3100");
    expect(originFromHeaders(h({ host: "internal:3000", "x-forwarded-host": "ops.example.org", "x-forwarded-proto": "https" }))).toBe("https://ops.example.org");
    expect(originFromHeaders(h({ host: "a.example", "x-forwarded-host": "b.example, c.example", "x-forwarded-proto": "https,http" }))).toBe("https://b.example");
    expect(originFromHeaders(h({ host: "[::1]:3000" }))).toBe("http://[::1]:3000");
  });

  it("falls back when the host header is missing or not a host", () => {
    expect(originFromHeaders(h({}), "http://fallback:1")).toBe("http://fallback:1");
    expect(originFromHeaders(h({ host: "evil.example/path?x=<script>" }), "http://fallback:1")).toBe("http://fallback:1");
    expect(originFromHeaders(h({ host: "ok.example", "x-forwarded-proto": "javascript" }))).toBe("http://ok.example");
  });
});
