import { expect, test, type Locator, type Page } from "@playwright/test";
import { PUMP_RISK } from "../src/server/predictions/risk/spec";
import { DEMO, signIn } from "./fixtures";

// The demo holds a year of hourly booster-pump telemetry around the maintenance history's pump
// failures (src/server/seed/pump-history.ts): the failure-risk model learns from it. The data is
// simulated, so the figures are checked for being there and well formed, not for their values.
test.use({ viewport: { width: 390, height: 844 } });

/** The card in one of its states: nothing trained yet, a version, a training under way or a failure. */
async function expectRiskCard(page: Page): Promise<Locator> {
  const card = page.getByTestId("risk-model-card");
  await expect(card).toBeVisible();
  const state = card
    .getByTestId("risk-model-empty")
    .or(card.getByTestId("risk-model-status"))
    .or(card.getByTestId("risk-model-progress"))
    .or(card.getByTestId("risk-model-failure"));
  await expect(state.first()).toBeVisible();
  return card;
}

test("a manager trains the failure-risk model, sees how well it checks out, and scores the pump sets with it", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, DEMO.manager, "/predictions");
  const card = await expectRiskCard(page);

  // the worker may be training a version already: the button waits for it, and a click that meets
  // it anyway is refused with CONFLICT, after which the card follows that training to its outcome
  const train = card.getByTestId("risk-model-train");
  await expect(train).toBeEnabled({ timeout: 60_000 });
  await train.click();
  // ~1 s of training on the demo: the progress bar may come and go before it is seen, the outcome stays
  await expect(card.getByTestId("risk-model-outcome")).toContainText(/^Version \d+ (trained: in force|trained: a candidate|not put in force)/, { timeout: 90_000 });
  await expect(card.getByTestId("risk-model-progress")).toHaveCount(0);
  await expect(train).toBeEnabled();

  await expect(card.getByTestId("risk-model-status")).toHaveText(/^(In force|Candidate)$/);
  await expect(card.getByTestId("risk-model-auc")).toContainText(/ROC AUC [01]\.\d\d \(0\.5 = chance, 1 = perfect\)/);
  await expect(card).toContainText(/(acts|would act) from \d+ % risk/);
  await expect(card).toContainText(/Learnt from \d+ failures? on \d+ pump sets?/);
  const bars = card.getByTestId("risk-model-importance").locator("li");
  await expect(bars.first()).toBeVisible();
  expect(await bars.count()).toBeGreaterThanOrEqual(3);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // scoring now puts the model's failure risk on the pump sets, each with the measurements behind it
  await page.getByTestId("predictions-run-now").click();
  await expect(page.getByTestId("predictions-run-result")).toContainText(/scored/i, { timeout: 60_000 });
  const riskCards = page.locator('[data-testid^="prediction-card-"]').filter({ hasText: PUMP_RISK.name });
  await expect(riskCards.first()).toBeVisible();
  const first = riskCards.first();
  await expect(first.getByTestId("prediction-risk")).toContainText(/Failure risk within 7 days\s*\d+ %/);
  // an active model acts from its threshold; a candidate's scores are shown, never acted on
  await expect(first.getByTestId("prediction-threshold")).toHaveText(/^(acts from \d+ %|a candidate model: would act from \d+ %, not acted on)$/);
  await expect(first.getByTestId("prediction-drivers")).toContainText("Why");
  // no trend behind a learnt risk: no remaining life, no chart
  await expect(first.getByTestId("prediction-rul")).toHaveCount(0);
  await expect(first.getByTestId("prediction-trend-toggle")).toHaveCount(0);
  // some pump set has a measurement that raised its risk, with its value
  await expect(riskCards.getByTestId("prediction-driver").first()).toContainText(/\d/);

  // a technician sees the model but cannot train it
  const techContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tech = await techContext.newPage();
  await signIn(tech, DEMO.technician, "/predictions");
  const techCard = await expectRiskCard(tech);
  await expect(techCard.getByTestId("risk-model-status")).toHaveText(/^(In force|Candidate)$/);
  await expect(techCard.getByTestId("risk-model-train")).toHaveCount(0);
  await techContext.close();
});
