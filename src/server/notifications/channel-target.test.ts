import { describe, expect, it } from "vitest";
import { channelTargetProblem, generateChannelSecret } from "./channel-target";

describe("channelTargetProblem", () => {
  it("accepts http(s) URLs for webhooks and addresses for e-mail", () => {
    expect(channelTargetProblem("webhook", "https://hooks.example.com/ecomate?key=1")).toBeNull();
    expect(channelTargetProblem("webhook", " http://10.0.0.5:8080/in ")).toBeNull();
    expect(channelTargetProblem("email", "ops@plant.example")).toBeNull();
  });

  it("names what is wrong", () => {
    expect(channelTargetProblem("webhook", "")).toBe("Enter the webhook URL.");
    expect(channelTargetProblem("email", "  ")).toBe("Enter an e-mail address.");
    expect(channelTargetProblem("webhook", "hooks.example.com")).toMatch(/is not a URL/);
    expect(channelTargetProblem("webhook", "ftp://hooks.example.com/x")).toMatch(/starts with https:\/\/.*not ftp:/);
    expect(channelTargetProblem("webhook", "https://u:p@hooks.example.com/")).toMatch(/user name and password/);
    expect(channelTargetProblem("email", "https://hooks.example.com/")).toMatch(/is not an e-mail address/);
    expect(channelTargetProblem("webhook", `https://h.example/${"a".repeat(2000)}`)).toMatch(/at most 2000/);
  });
});

describe("generateChannelSecret", () => {
  it("is whsec_ and 32 base64url characters, different every time", () => {
    const a = generateChannelSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(generateChannelSecret()).not.toBe(a);
  });
});
