import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";
import { publishReadings } from "./device";

test.describe("alerts", () => {
  test("a UV-intensity drop raises a critical alert with its cue; it is acknowledged and clears when the intensity recovers", async ({ page }) => {
    await signIn(page, DEMO.technician, "/alerts");
    // the page listens before the unit misbehaves (an alert raised while the page loads shows in the list, not as a new-alert cue)
    await expect(page.getByRole("status").filter({ hasText: /^Live$/ })).toBeVisible({ timeout: 20_000 });
    // water flows (the rule applies only then) and the UV intensity falls below NBG-01's setpoint (48 W/m2)
    publishReadings([
      { metric: "flow_rate", value: 8 },
      { metric: "uv_intensity", value: 21.5, component: "uvsensor-1" },
    ]);
    const banner = page.getByTestId("critical-alert-banner");
    await expect(banner).toBeVisible({ timeout: 20_000 });
    await expect(banner).toContainText(/UV intensity/i);
    const row = page.locator('[data-testid^="alert-row-"]').filter({ hasText: /UV intensity below validated setpoint/i }).first();
    await expect(row).toBeVisible();
    const id = (await row.getAttribute("data-testid"))!.replace("alert-row-", "");
    await expect(page.getByTestId(`alert-state-${id}`)).toHaveText(/unacknowledged/i);

    await page.getByTestId(`alert-ack-${id}`).click();
    await expect(page.getByTestId(`alert-state-${id}`)).toHaveText(/acknowledged/i);
    await expect(page.getByTestId(`alert-state-${id}`)).not.toHaveText(/unacknowledged/i);

    // the lamp recovers; after the rule's off-delay the alert clears (and, acknowledged, is done)
    const recover = () => publishReadings([{ metric: "flow_rate", value: 8 }, { metric: "uv_intensity", value: 82, component: "uvsensor-1" }]);
    recover();
    await page.goto(`/alerts/${id}`);
    await expect(async () => {
      recover();
      await page.reload();
      await expect(page.getByTestId(`alert-state-${id}`)).toHaveText(/cleared/i, { timeout: 2_000 });
    }).toPass({ timeout: 60_000, intervals: [3_000] });
  });
});
