import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

// A manager sets up condition-based maintenance on a phone: the form names what is missing before
// anything is sent, and the saved schedule shows in the list with its condition.
test.use({ viewport: { width: 390, height: 844 } });

test("a manager adds a condition-based schedule on a phone; the form says what is missing first", async ({ page }) => {
  const name = `Backwash filter on high ΔP ${Date.now().toString(36)}`;
  await signIn(page, DEMO.manager, "/schedules");
  await page.getByTestId("schedule-new").click();
  const form = page.getByTestId("schedule-form");
  await expect(form).toBeVisible();

  await form.locator("label").filter({ hasText: "Condition-based" }).click();
  await expect(page.getByTestId("schedule-kind-condition")).toBeChecked();
  await form.getByLabel("Name (the work order's title)", { exact: true }).fill(name);
  await form.getByLabel("System", { exact: true }).selectOption("NBG-01");
  await form.getByLabel("Metric", { exact: true }).selectOption("filter_dp");
  await form.getByLabel("Is", { exact: true }).selectOption(">");
  await form.getByLabel(/^Threshold/).fill("1");

  // no hold time yet: refused in the form, next to the field, and nothing is sent
  let sent = 0;
  page.on("request", (r) => {
    if (r.url().includes("maintenance.schedule.create")) sent++;
  });
  await page.getByTestId("schedule-save").click();
  const hold = form.getByLabel("For (minutes)", { exact: true });
  await expect(hold).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByRole("alert").filter({ hasText: /minute/i }).first()).toBeVisible();
  await expect(hold).toBeFocused();
  expect(sent).toBe(0);

  await hold.fill("30");
  await page.getByTestId("schedule-save").click();
  await expect(form).toBeHidden();
  const row = page.locator('[data-testid^="schedule-row-"]').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("NBG-01");
  expect(sent).toBe(1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // tidy up: the demo's own schedules stay as they were
  const id = (await row.getAttribute("data-testid"))!.replace("schedule-row-", "");
  await page.getByTestId(`schedule-delete-${id}`).click();
  await page.getByTestId(`schedule-delete-confirm-${id}`).click();
  await expect(row).toHaveCount(0);
});
