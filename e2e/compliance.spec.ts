import { expect, test, type Page } from "@playwright/test";
import { DEMO, NORDWASSER_SYSTEMS, signIn } from "./fixtures";

// The compliance page on the demo fleet. The e2e worker runs without its scheduled jobs
// (WORKER_MAINTENANCE=false, e2e/server.ts), so the months may have no records yet: the journeys
// check what the page shows either way (a verdict for every system, the validated conditions of the
// AQ-UV10 units from the seed, one day row per day, the CSV), not particular volumes.

const VERDICTS = /^(Compliant|At risk|Not compliant|Incomplete data)$/;

/** The calendar month before now in Europe/Berlin (NBG's zone): every one of its days has passed. */
function lastMonthInBerlin(): { month: string } {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  const [y, m] = today.split("-").map(Number) as [number, number];
  return { month: new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7) };
}

async function noOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test("a viewer reads the fleet's month, opens a unit's operating log and downloads it as CSV", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, DEMO.viewer);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Compliance" }).click();
  await expect(page).toHaveURL(/\/compliance$/);
  await expect(page.getByRole("heading", { name: "Compliance" })).toBeVisible();

  // every system of the organisation, each with a verdict; the other organisation's are not there
  const fleet = page.getByTestId("compliance-fleet");
  for (const code of NORDWASSER_SYSTEMS) await expect(fleet.getByTestId(`compliance-row-${code}`)).toBeVisible();
  await expect(fleet.locator("tbody tr")).toHaveCount(NORDWASSER_SYSTEMS.length);
  await expect(fleet).not.toContainText("INN-01");
  for (const badge of await fleet.getByTestId("compliance-verdict").all()) await expect(badge).toHaveText(VERDICTS);
  // and the state of its monitoring instruments (the seed keeps every one in calibration)
  await expect(fleet.getByTestId("compliance-calibration")).toHaveCount(NORDWASSER_SYSTEMS.length);
  for (const badge of await fleet.getByTestId("compliance-calibration").all()) await expect(badge).toHaveText("In calibration");

  // another month through the picker (a plain GET form: the URL carries it)
  const { month } = lastMonthInBerlin();
  await page.getByTestId("compliance-month").fill(month);
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(new RegExp(`/compliance\\?month=${month}$`));
  await expect(page.getByTestId("compliance-month")).toHaveValue(month);

  // NBG-01, an AQ-UV10: the validated conditions of the seed, a row per day of the month, the ledger
  await fleet.getByRole("link", { name: "NBG-01" }).click();
  await expect(page).toHaveURL(new RegExp(`/compliance\\?month=${month}&system=NBG-01#month$`));
  const view = page.getByTestId("compliance-month-view");
  await expect(view.getByRole("heading", { name: /NBG-01/ })).toBeVisible();
  const conditions = view.getByTestId("compliance-conditions");
  await expect(conditions).toContainText("40 mJ/cm²");
  await expect(conditions).toContainText("12.0 m³/h");
  await expect(conditions).toContainText("85 %");
  await expect(conditions).toContainText("48 W/m²");
  // the demo's units were registered when it was seeded: last month is before EcoMate monitored them,
  // so none of its days is judged or counted as missing, and the page says why
  await expect(view.getByTestId("compliance-monitored-since")).toContainText(/^Monitored by EcoMate since \d{1,2} \w+ \d{4}: only days whose history was backfilled/);
  await expect(view.getByTestId("compliance-days").locator("tbody tr")).toHaveCount(0);
  await expect(view.getByTestId("compliance-verdict")).toHaveText(VERDICTS);
  await expect(view.getByText("No day of service in this month.")).toBeVisible();
  await expect(page.getByText("No data counts as off-spec.")).toBeVisible();

  // the monthly operating log: the link, then the file itself with this session's cookies
  const csv = view.getByTestId("compliance-csv");
  await expect(csv).toHaveAttribute("href", `/api/compliance/NBG-01/${month}.csv`);
  const res = await page.request.get(`/api/compliance/NBG-01/${month}.csv`);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  expect(res.headers()["content-disposition"]).toContain(`NBG-01-${month}-uv-operating-log.csv`);
  const lines = (await res.text()).trim().split(/\r?\n/);
  expect(lines).toContain("max_validated_flow_m3h,12.00");
  expect(lines).toContain("min_validated_uvt_pct,85.0");
  const table = lines.findIndex((l) => l.startsWith("date,"));
  expect(table).toBeGreaterThan(0);
  expect(lines.length - table - 1).toBe(0);

  // this month (the default): the days since registration are listed, today among them
  await page.goto("/compliance?system=NBG-01#month");
  const thisMonth = page.getByTestId("compliance-month-view");
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  await expect(thisMonth.getByTestId("compliance-days").getByTestId(`compliance-day-${today}`)).toBeVisible();
  // (two when the run crosses midnight in Berlin)
  expect(await thisMonth.getByTestId("compliance-days").locator("tbody tr").count()).toBeLessThanOrEqual(2);

  // a bad month in the file name is refused with the format; the page ignores a bad month in the URL
  const bad = await page.request.get("/api/compliance/NBG-01/March.csv");
  expect(bad.status()).toBe(400);
  expect(await bad.text()).toContain("YYYY-MM.csv");
  await page.goto("/compliance?month=2026-13");
  await expect(page.getByTestId("compliance-fleet")).toBeVisible();
});

test("another organisation's user gets nothing of Nordwasser's compliance", async ({ page }) => {
  await signIn(page, { email: "admin@alpine.local", password: "alpine-demo-pass" });
  const { month } = lastMonthInBerlin();
  expect((await page.request.get(`/api/compliance/NBG-01/${month}.csv`)).status()).toBe(404);
  await page.goto(`/compliance?month=${month}&system=NBG-01`);
  await expect(page.getByText('System "NBG-01" was not found.')).toHaveAttribute("role", "alert");
  await expect(page.getByTestId("compliance-fleet")).not.toContainText("NBG-01");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the fleet becomes cards, a unit's month opens from one, and nothing is wider than the screen", async ({ page }) => {
    await signIn(page, DEMO.technician, "/compliance");
    await expect(page.getByTestId("compliance-fleet")).toBeHidden();
    const card = page.getByTestId("compliance-card-NAI-01");
    await expect(card.getByTestId("compliance-verdict")).toHaveText(VERDICTS);
    await noOverflow(page);
    await card.click();
    await expect(page).toHaveURL(/system=NAI-01/);
    const view = page.getByTestId("compliance-month-view");
    await expect(view.getByRole("heading", { name: /NAI-01/ })).toBeVisible();
    // an HX-20 with an online UVT analyser: the calculated-dose approach
    await expect(view.getByTestId("compliance-conditions")).toContainText("Monitoring: the calculated dose");
    // the day table scrolls inside its card, the page does not
    await expect(view.getByTestId("compliance-days")).toBeAttached();
    await noOverflow(page);
  });
});
