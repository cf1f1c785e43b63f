import { expect, test, type Page } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";
import { publishReadings } from "./device";

// A technician's phone (the brief's 390 x 844); the desktop project's browser, narrowed.
test.use({ viewport: { width: 390, height: 844 } });

/** NBG-01's UV intensity drops below its validated setpoint while water flows: a critical alert. */
async function raiseUvAlert(page: Page): Promise<string> {
  const uvDrop = () =>
    publishReadings([
      { metric: "flow_rate", value: 8 },
      { metric: "uv_intensity", value: 21.5, component: "uvsensor-1" },
    ]);
  uvDrop();
  const row = page.locator('[data-testid^="alert-row-"]').filter({ hasText: /UV intensity below validated setpoint/i }).first();
  await expect(async () => {
    await page.goto("/alerts?system=NBG-01");
    await expect(row).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 45_000, intervals: [2_000] });
  return (await row.getAttribute("data-testid"))!.replace("alert-row-", "");
}

// a 1 x 1 PNG: what the server checks is the bytes, not the name
const TINY_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

async function noHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test("a technician opens a work order from an alert, logs labour, a part and a photo (once offline) and closes it with a failure code", async ({ page, context }) => {
  test.setTimeout(120_000);
  await signIn(page, DEMO.technician, "/alerts");

  // from the alert to its work order
  const alertId = await raiseUvAlert(page);
  await page.goto(`/alerts/${alertId}`);
  await page.getByTestId("alert-open-work-order").click();
  await expect(page).toHaveURL(/\/work-orders\/[^/]+$/);
  const detail = page.getByTestId("wo-detail");
  await expect(detail).toBeVisible();
  await expect(page.getByTestId("wo-number")).toHaveText(/^WO-\d+$/);
  await expect(page.getByTestId("wo-status")).toHaveText("Open");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/UV intensity/i);
  await noHorizontalScroll(page);

  // one tap: start the work (the bar stays at the bottom of the screen)
  await expect(page.getByTestId("wo-action-bar")).toBeVisible();
  await page.getByTestId("wo-action-in_progress").click();
  await expect(page.getByTestId("wo-status")).toHaveText("In progress");

  // labour online: 30 minutes, sent at once
  const labour = page.getByTestId("wo-labour-list");
  await page.getByTestId("wo-labour-chip-30").click();
  await page.getByTestId("wo-labour-submit").click();
  await expect(labour.getByTestId("wo-labour-row")).toHaveCount(1);
  await expect(labour).toContainText("30 min");
  await expect(labour.getByTestId("waiting-to-send")).toHaveCount(0);
  await expect(page.getByTestId("wo-labour-total")).toHaveText("30 min in all");

  // the connection drops: 15 minutes of labour and a part are kept on the phone
  await context.setOffline(true);
  const banner = page.getByTestId("offline-banner");
  await expect(banner).toContainText("Offline");
  await page.getByTestId("wo-labour-chip-15").click();
  await page.getByTestId("wo-labour-submit").click();
  await expect(labour.getByTestId("wo-labour-row")).toHaveCount(2);
  await expect(labour.getByTestId("waiting-to-send")).toHaveCount(1);

  // the component's bill of materials comes first; take the first part that is in stock
  const option = page.locator('[data-testid^="wo-part-option-"]').filter({ hasNotText: "none in stock" }).first();
  await expect(option).toBeVisible();
  const partNumber = (await option.getAttribute("data-testid"))!.replace("wo-part-option-", "");
  await option.click();
  await expect(page.getByTestId("wo-part-qty")).toHaveValue("1");
  await page.getByTestId("wo-part-submit").click();
  const parts = page.getByTestId("wo-parts-list");
  await expect(parts).toContainText(partNumber);
  await expect(parts.getByTestId("waiting-to-send")).toHaveCount(1);

  // a photo of the sensor, taken without signal: kept on the phone, shown as waiting
  await page.getByTestId("wo-photo-input").setInputFiles({ name: "uv-sensor.png", mimeType: "image/png", buffer: TINY_PNG });
  const pending = page.getByTestId("wo-photo-pending");
  await expect(pending).toHaveCount(1);
  await expect(pending).toHaveAttribute("data-state", "offline");
  await expect(page.getByTestId("wo-photo")).toHaveCount(0);

  await expect(banner).toHaveText("Offline — 2 entries and 1 photo saved on this phone, they will be sent when the connection returns");
  await expect(page.getByTestId("wo-labour-total")).toHaveText("45 min in all (15 min waiting to send)");
  await noHorizontalScroll(page);

  // back online: both are sent, the banner goes, the rows are the server's
  await context.setOffline(false);
  // at once on the `online` event; at the latest on the 15 s retry after the backoff
  await expect(banner).toBeHidden({ timeout: 40_000 });
  await expect(page.getByTestId("waiting-to-send")).toHaveCount(0);
  await expect(labour.getByTestId("wo-labour-row")).toHaveCount(2);
  await expect(page.getByTestId("wo-labour-total")).toHaveText("45 min in all");
  await expect(parts.getByTestId("wo-part-row")).toHaveCount(1);
  await expect(parts).toContainText(partNumber);
  await expect(page.getByTestId("wo-photo-pending")).toHaveCount(0);
  await expect(page.getByTestId("wo-photo")).toHaveCount(1);

  // still there after a reload: on the server, not only on the phone
  await page.reload();
  await expect(page.getByTestId("wo-labour-total")).toHaveText("45 min in all");
  await expect(page.getByTestId("wo-parts-list")).toContainText(partNumber);
  const photo = page.getByTestId("wo-photo");
  await expect(photo).toHaveCount(1);
  const stored = await page.request.get(`/api/work-orders/attachments/${await photo.getAttribute("data-attachment-id")}`);
  expect(stored.status()).toBe(200);
  expect(stored.headers()["content-type"]).toBe("image/png");
  expect(Buffer.from(await stored.body()).equals(TINY_PNG)).toBe(true);

  // close-out: a corrective order needs a failure mode, and the server says so
  await page.getByTestId("wo-action-done").click();
  await page.getByTestId("wo-close-submit").click();
  await expect(page.getByTestId("wo-close-error")).toContainText("needs a failure mode");
  await expect(page.getByTestId("wo-status")).toHaveText("In progress");

  await page.getByTestId("wo-close-mode").selectOption("BRD");
  await page.getByTestId("wo-close-cause").selectOption("ELF");
  await page.getByTestId("wo-close-remedy").selectOption("RPL");
  await page.getByTestId("wo-close-note").fill("Sensor replaced, intensity back above setpoint");
  await page.getByTestId("wo-close-submit").click();
  await expect(page.getByTestId("wo-status")).toHaveText("Done");
  const summary = page.getByTestId("wo-closeout-summary");
  await expect(summary).toContainText("BRD");
  await expect(summary).toContainText("ELF");
  await expect(summary).toContainText("RPL");
  await expect(page.getByTestId("wo-action-bar")).toHaveCount(0);
  await expect(page.getByTestId("offline-failed")).toHaveCount(0);
});

test("a technician writes a new work order without signal; it is created once when the connection returns", async ({ page, context }) => {
  test.setTimeout(90_000);
  const title = `Seal weeping at the booster pump ${Date.now().toString(36)}`;
  await signIn(page, DEMO.technician, "/work-orders/new");
  await expect(page.getByTestId("wo-new-form")).toBeVisible();
  await page.getByTestId("wo-new-system").selectOption("NBG-01");
  await page.getByTestId("wo-new-component").selectOption("pump-1");
  await page.getByTestId("wo-new-title").fill(title);

  // the plant room has no signal: the order is kept on the phone and shown as waiting
  await context.setOffline(true);
  await page.getByTestId("wo-new-submit").click();
  await expect(page.getByTestId("wo-new-saved-offline").first()).toBeVisible();
  const pending = page.getByTestId("wo-pending-create").filter({ hasText: title });
  await expect(pending).toHaveCount(1);
  await expect(pending).toContainText(/waiting to send/i);
  await noHorizontalScroll(page);

  // back online: sent once, and the real order exists with its number
  await context.setOffline(false);
  await expect(page.getByTestId("wo-pending-create")).toHaveCount(0, { timeout: 40_000 });
  await page.goto("/work-orders?system=NBG-01");
  await expect(page.locator('[data-testid^="wo-row-"]').filter({ hasText: title })).toHaveCount(1);
});
