import { expect, test, type Page } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

// The demo's NBG-03 cartridge filter has 14 days of ΔP rising towards 1 bar (src/server/seed/
// degradation-history.ts): the filter model opens a predictive order that waits for a manager.
test.use({ viewport: { width: 390, height: 844 } });

/** The filter's card on /predictions, after scoring now (the worker may have scored already: never a second order). */
async function filterCard(page: Page) {
  await page.goto("/predictions?system=NBG-03");
  await page.getByTestId("predictions-run-now").click();
  await expect(page.getByTestId("predictions-run-result")).toContainText(/scored/i, { timeout: 30_000 });
  const card = page.locator('[data-testid^="prediction-card-"]').filter({ hasText: "filter-2" });
  await expect(card).toHaveCount(1);
  return card;
}

test("a filter heading for 1 bar gets a predictive order: the technician sees why, the manager approves it with its parts", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signIn(page, DEMO.manager, "/predictions");
  const card = await filterCard(page);
  await expect(card.getByTestId("prediction-rul")).toContainText(/days?/);
  await expect(card).toContainText("1.0 bar");
  const action = card.getByTestId("prediction-action");
  await expect(action).toContainText(/WO-\d+/);
  const orderLink = action.getByRole("link");
  const label = (await orderLink.textContent())!.trim();

  // the chart of what the model saw: the hourly values, the fitted line and the limit
  await card.getByTestId("prediction-trend-toggle").click();
  await expect(card.getByTestId("prediction-chart")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  await orderLink.click();
  await expect(page).toHaveURL(/\/work-orders\/[^/]+$/);
  const orderPath = new URL(page.url()).pathname;
  await expect(page.getByTestId("wo-number")).toHaveText(label);
  await expect(page.getByTestId("wo-status")).toHaveText("Requested");

  // a technician reads why but cannot decide
  const techContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tech = await techContext.newPage();
  await signIn(tech, DEMO.technician, orderPath);
  await expect(tech.getByTestId("wo-prediction")).toContainText("filter-dp-trend@1");
  await expect(tech.getByTestId("wo-prediction")).toContainText(/Waiting for a manager/);
  await expect(tech.getByTestId("wo-prediction-approve")).toHaveCount(0);
  await techContext.close();

  // the manager approves: the order opens and its parts requests are approved with it
  const why = page.getByTestId("wo-prediction");
  await expect(why).toContainText(/reaches 1\.0 bar/);
  await expect(page.getByTestId("wo-prediction-parts").locator("li")).not.toHaveCount(0);
  await page.getByTestId("wo-prediction-approve").click();
  await expect(page.getByTestId("wo-status")).toHaveText("Open");
  for (const li of await page.getByTestId("wo-prediction-parts").locator("li").all()) await expect(li).toHaveAttribute("data-status", "approved");

  // scoring again opens nothing new: the card now points at the open order
  const again = await filterCard(page);
  await expect(again.getByTestId("prediction-action")).toContainText(label);
});
