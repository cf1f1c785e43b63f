import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";
import { e2eRuntime, publishReadings } from "./device";

// NBG-01's gateway is the e2e device (e2e/server.ts): it reports the unit running, the manager
// lets the optimiser propose setpoints in supervised mode and approves them, the worker sends them
// on the device's commands topic, the device acknowledges, and the page shows them applied.

interface Command {
  id: string;
  setpoint: { key: string; value: number; unit: string };
  expiresAt: string;
}

/** The device's side: mosquitto_sub on its own commands topic, collecting the JSON commands it gets. */
function deviceListening() {
  const { mqtt, device } = e2eRuntime();
  const received: Command[] = [];
  const sub = spawn("mosquitto_sub", ["-h", mqtt.host, "-p", String(mqtt.port), "-i", `e2e-commands-${process.pid}-${Date.now()}`, "-u", device.id, "-P", device.token, "-q", "1", "-t", `ecomate/v1/${device.id}/commands`]);
  let buffer = "";
  sub.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) received.push(JSON.parse(line) as Command);
    }
  });
  const ack = (id: string, status: "applied" | "rejected", message?: string) =>
    new Promise<void>((resolve, reject) => {
      const pub = spawn("mosquitto_pub", ["-h", mqtt.host, "-p", String(mqtt.port), "-i", `e2e-ack-${Date.now()}`, "-u", device.id, "-P", device.token, "-q", "1", "-t", `ecomate/v1/${device.id}/commands/ack`, "-m", JSON.stringify({ id, status, ...(message ? { message } : {}) })]);
      pub.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited ${code}`))));
    });
  return { received, ack, stop: () => sub.kill() };
}

test("a manager approves the optimiser's setpoints in supervised mode; the unit gets them over MQTT and applies them", async ({ page }) => {
  test.setTimeout(120_000);
  const device = deviceListening();
  try {
    // a day of flow: the pump filling the tank two thirds of the time (the demand the optimiser
    // keeps up with), and the unit running now: flow, drive speed and water temperature
    const now = Date.now();
    const day = Array.from({ length: 144 }, (_, i) => ({ metric: "flow_rate", component: "ft-1", ts: now - (144 - i) * 600_000, value: i % 3 === 2 ? 0 : 9.2 }));
    publishReadings(day);
    // (the UV sensor reads what a clean sleeve gives: earlier journeys left a UV drop on this unit)
    publishReadings([
      { metric: "flow_rate", value: 9.2, component: "ft-1" },
      { metric: "pump_speed", value: 96, component: "pump-1" },
      { metric: "water_temperature", value: 12, component: "tt-1" },
      { metric: "uv_intensity", value: 150, component: "uvsensor-1" },
      { metric: "lamp_on", value: 1, component: "lamp-1" },
    ]);
    await signIn(page, DEMO.manager, "/systems/NBG-01/twin");
    const panel = page.getByTestId("control-panel");
    await expect(panel).toBeVisible({ timeout: 20_000 });

    await panel.getByRole("radio", { name: "Supervised" }).click();
    await expect(panel.getByRole("radio", { name: "Supervised" })).toHaveAttribute("aria-checked", "true");
    await expect(page.getByTestId("control-autonomy-help")).toContainText("after a manager approves");

    const suggestion = page.getByTestId("control-suggestion");
    await expect(suggestion).toContainText(/^Suggested: .*Saves .* kW/, { timeout: 20_000 });
    // the what-if shows the suggestion before anything is sent
    await suggestion.getByRole("button", { name: "Try it in what-if" }).click();
    await expect(page.getByTestId("twin-mode")).toHaveText("What-if (not sent to the unit)");

    await suggestion.getByRole("button", { name: "Propose these setpoints" }).click();
    const commands = page.getByTestId("control-command");
    await expect(commands.first()).toContainText("proposed");
    const proposed = await commands.filter({ hasText: "waiting for approval" }).count();
    expect(proposed).toBeGreaterThan(0);
    const waiting = commands.filter({ hasText: "waiting for approval" });
    for (let left = proposed; left > 0; left--) {
      await waiting.first().getByRole("button", { name: "Approve and send" }).click();
      await expect(waiting).toHaveCount(left - 1);
    }

    // the device receives exactly the contract's payload, one per approved setpoint
    await expect.poll(() => device.received.length, { timeout: 30_000 }).toBe(proposed);
    for (const c of device.received) {
      expect(Object.keys(c).sort()).toEqual(["expiresAt", "id", "setpoint"]);
      expect(["pump_speed", "uv_power"]).toContain(c.setpoint.key);
      expect(c.setpoint.unit).toBe("%");
      expect(Date.parse(c.expiresAt)).toBeGreaterThan(Date.now());
      await device.ack(c.id, "applied");
    }
    await expect(commands.filter({ hasText: "applied by the unit" })).toHaveCount(proposed, { timeout: 30_000 });
    // the setpoint table now holds what the unit applied
    const first = device.received[0]!;
    await expect(page.getByTestId(`setpoint-${first.setpoint.key}`)).toContainText(`${Math.round(first.setpoint.value)} %`, { timeout: 30_000 });
  } finally {
    device.stop();
  }
});

test("a technician sees the autonomy level but cannot change it or approve", async ({ page }) => {
  await signIn(page, DEMO.technician, "/systems/NBG-01/twin");
  const panel = page.getByTestId("control-panel");
  await expect(panel).toBeVisible({ timeout: 20_000 });
  await expect(panel.getByRole("radio", { name: "Off" })).toBeDisabled();
  await expect(page.getByTestId("control-autonomy-help")).toContainText("Managers set the level.");
  await expect(panel.getByRole("button", { name: "Approve and send" })).toHaveCount(0);
});
