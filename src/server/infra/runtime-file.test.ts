import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isProcessAlive,
  readLiveRuntime,
  readRuntimeFile,
  removeRuntimeFile,
  runtimeFilePath,
  writeRuntimeFile,
  type RuntimeInfo,
} from "./runtime-file";

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomate-runtime-"));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const info = (pid: number): RuntimeInfo => ({
  databaseUrl: "postgresql://postgres:pw@127.0.0.1:54329/ecomate",
  mqttUrl: "mqtt://127.0.0.1:1884",
  appUrl: "http://localhost:3000",
  pid,
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(child.stdout);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

describe("runtime file", () => {
  it("round-trips and is readable by the owner only", () => {
    writeRuntimeFile(dataDir, info(process.pid));
    expect(readRuntimeFile(dataDir)).toEqual(info(process.pid));
    expect(fs.statSync(runtimeFilePath(dataDir)).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(fs.readFileSync(runtimeFilePath(dataDir), "utf8")))).toEqual([
      "databaseUrl",
      "mqttUrl",
      "appUrl",
      "pid",
    ]);
  });

  it("is live only while its pid runs", () => {
    writeRuntimeFile(dataDir, info(process.pid));
    expect(readLiveRuntime(dataDir)).toEqual(info(process.pid));

    const pid = deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    writeRuntimeFile(dataDir, info(pid));
    expect(readRuntimeFile(dataDir)?.pid).toBe(pid);
    expect(readLiveRuntime(dataDir)).toBeNull();
  });

  it("ignores a missing or malformed file", () => {
    expect(readLiveRuntime(dataDir)).toBeNull();
    fs.writeFileSync(runtimeFilePath(dataDir), "{not json");
    expect(readRuntimeFile(dataDir)).toBeNull();
    fs.writeFileSync(runtimeFilePath(dataDir), JSON.stringify({ databaseUrl: "x", pid: process.pid }));
    expect(readLiveRuntime(dataDir)).toBeNull();
  });

  it("is removed only by its owner when an owner is given", () => {
    writeRuntimeFile(dataDir, info(process.pid));
    removeRuntimeFile(dataDir, process.pid + 1);
    expect(readRuntimeFile(dataDir)).not.toBeNull();
    removeRuntimeFile(dataDir, process.pid);
    expect(fs.existsSync(runtimeFilePath(dataDir))).toBe(false);
    expect(() => removeRuntimeFile(dataDir)).not.toThrow();
  });
});
