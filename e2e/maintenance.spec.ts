import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";
import { publishReadings } from "./device";

// Managers and technicians on a phone-sized screen (issue 5's acceptance).
test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

test("a technician cannot approve the lamp request; the manager approves it, marks it ordered and received, and the lamps are on the shelf", async ({ browser }) => {
  const tech = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const techPage = await tech.newPage();
  await signIn(techPage, DEMO.technician, "/parts/requests");
  const techRow = techPage.locator("li", { hasText: "Lamps near end of life" });
  await expect(techRow).toBeVisible();
  await expect(techRow.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await tech.close();

  const mgr = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await mgr.newPage();
  await signIn(page, DEMO.manager, "/parts/requests");
  const row = page.locator("li", { hasText: "Lamps near end of life" });
  await expect(row).toHaveAttribute("data-status", "requested");
  const partNumber = (await row.locator("span.font-mono").first().textContent())!.trim();
  const siteCode = (await row.locator("span.font-mono.font-semibold").first().textContent())!.trim();

  // what the site has on the shelf before
  const onHand = async () => {
    await page.goto("/parts");
    await page.getByTestId("parts-search").fill(partNumber);
    const stock = page.getByRole("list", { name: `Stock of ${partNumber}` }).locator("li", { hasText: siteCode });
    await expect(stock).toBeVisible();
    return Number((await stock.locator("strong").first().textContent())!.match(/[\d.]+/)![0]);
  };
  const before = await onHand();

  await page.goto("/parts/requests");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toHaveAttribute("data-status", "approved");
  await expect(row).toContainText(`approved by ${DEMO.manager.name}`);
  await row.getByRole("button", { name: "Mark ordered" }).click();
  await expect(row).toHaveAttribute("data-status", "ordered");
  await row.getByRole("button", { name: "Mark received" }).click();
  // received: no longer on its way, so it leaves the open list and shows under "All"
  await expect(row).toHaveCount(0);
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: "All" }).click();
  await expect(row).toHaveAttribute("data-status", "received");

  // receiving booked the two lamps in at the site
  expect(await onHand()).toBe(before + 2);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await mgr.close();
});

test("the component's timeline shows its open work order next to the pump's readings", async ({ page }) => {
  // the pump reports vibration now; the seed opened a work order on NBG-01's pump-1 today
  publishReadings([
    { metric: "vibration", value: 2.4, component: "pump-1" },
    { metric: "pump_pressure", value: 4.1, component: "pump-1" },
  ]);
  await signIn(page, DEMO.technician, "/systems/NBG-01/components/pump-1?days=7");
  const history = page.locator("section", { has: page.getByTestId("component-history") });
  await expect(async () => {
    await page.reload();
    await expect(history.getByRole("img", { name: /^Vibration/ })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  await expect(history).toContainText("Seal weeping at pump-1");
  // the period can be widened to the component's years of history
  await page.getByRole("navigation", { name: "History period" }).getByRole("link", { name: "3 years" }).click();
  await expect(page).toHaveURL(/days=1095$/);
  await expect(history).toContainText(/Mechanical seal leaking \(pump-1\)/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("a manager edits an open order's title, priority and checklist on a phone; a ticked step keeps its tick", async ({ page }) => {
  await signIn(page, DEMO.manager, "/systems/NBG-01/components/pump-1");
  await page.getByTestId("component-orders").getByRole("link", { name: /Seal weeping at pump-1/ }).click();
  await expect(page.getByTestId("wo-detail")).toBeVisible();
  // tick the first step, then edit
  await page.getByTestId("wo-checklist-0").click();
  await expect(page.getByTestId("wo-checklist-0")).toHaveAttribute("aria-checked", "true");
  await expect(page.getByTestId("waiting-to-send")).toHaveCount(0); // the tick reached the server
  await page.getByTestId("wo-edit").click();
  const form = page.getByTestId("wo-edit-form");
  await form.getByTestId("wo-edit-title").fill("Seal weeping at pump-1: replace the seal kit");
  await form.getByTestId("wo-edit-priority-urgent").click();
  const checklist = form.getByTestId("wo-edit-checklist");
  await checklist.fill(`${(await checklist.inputValue()).trim()}\nReturn the old seal for analysis`);
  await form.getByTestId("wo-edit-save").click();
  await expect(form).toHaveCount(0);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Seal weeping at pump-1: replace the seal kit");
  await expect(page.getByTestId("wo-checklist-3")).toContainText("Return the old seal for analysis");
  await expect(page.getByTestId("wo-checklist-0")).toHaveAttribute("aria-checked", "true");
  await expect(page.getByTestId("wo-detail")).toContainText("Urgent");
  // stored, not only shown
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Seal weeping at pump-1: replace the seal kit");
});
