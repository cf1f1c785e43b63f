import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";
import { publishReadings } from "./device";

test.describe("live telemetry", () => {
  test("a reading published with mosquitto_pub appears live on the system page", async ({ page }) => {
    // the series exists once the unit has reported it
    publishReadings([{ metric: "water_temperature", value: 11.5 }]);
    await signIn(page, DEMO.manager, "/systems/NBG-01");
    await expect(page.getByTestId("live-status")).toHaveText(/live/i, { timeout: 20_000 });
    const value = page.getByTestId("metric-value-water_temperature");
    await expect(value).toBeVisible({ timeout: 20_000 });
    // a new value, published while the page is open, shows without a reload
    publishReadings([{ metric: "water_temperature", value: 17.25 }]);
    await expect(value).toContainText("17.25", { timeout: 20_000 });
  });
});
