import { expect, test, type Page } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

// The twin of NBG-03 (an HX-20 with a media filter and a polishing cartridge): the 3D model with
// its live labels, the what-if sliders computed in the page, saved scenarios.
test.use({ viewport: { width: 390, height: 844 } });

async function value(page: Page, key: string): Promise<number> {
  const text = (await page.getByTestId(`twin-value-${key}`).textContent()) ?? "";
  return Number(text.replace(/,/g, ""));
}

test("a technician opens the twin on a phone, asks what if, and saves the scenario", async ({ page }) => {
  await signIn(page, DEMO.technician, "/systems/NBG-03");
  await page.getByRole("link", { name: "3D twin and what-if" }).click();
  await expect(page).toHaveURL(/\/systems\/NBG-03\/twin$/);
  await expect(page.getByRole("heading", { name: "NBG-03 · digital twin" })).toBeVisible();

  // The model is in: its labels are pinned on the pump, both filters and the reactor.
  await expect(page.getByTestId("twin-viewer").locator("canvas")).toBeVisible();
  for (const code of ["pump-1", "filter-1", "filter-2", "uv-1"]) await expect(page.getByTestId(`twin-label-${code}`)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("twin-mode")).toHaveText("Live");

  // Less speed: less flow, more dose, and the pump's label follows.
  await page.getByRole("slider", { name: "Pump speed" }).fill("0.8");
  await expect(page.getByTestId("twin-mode")).toHaveText("What-if (not sent to the unit)");
  const slowFlow = await value(page, "flow");
  const slowDose = await value(page, "dose");
  await page.getByRole("slider", { name: "Pump speed" }).fill("1.1");
  await expect.poll(() => value(page, "flow")).toBeGreaterThan(slowFlow);
  expect(await value(page, "dose")).toBeLessThan(slowDose);
  await expect(page.getByTestId("twin-label-pump-1")).toContainText(`${(await value(page, "flow")).toFixed(1)} m³/h`);

  // Poor water: the verdict names the reason, and the chart says where the dose gives out.
  await page.getByRole("slider", { name: "Water UV transmittance" }).fill("60");
  await expect(page.getByTestId("twin-verdict")).toContainText("Off-spec");
  await expect(page.getByTestId("twin-verdict")).toContainText("UVT is below the validated minimum");
  await expect(page.getByTestId("twin-warnings")).toContainText("UVT 60.0 % is below the validated minimum");
  // an old lamp behind a fouled sleeve: now the dose itself gives out
  await page.getByRole("slider", { name: "Lamp hours" }).fill("15000");
  await page.getByRole("slider", { name: "Sleeve cleanliness" }).fill("0.4");
  await expect(page.getByTestId("twin-verdict")).toContainText("the validated dose is below the required dose");
  await expect(page.getByTestId("twin-sweep-chart")).toBeVisible();

  const name = `Low UVT at full speed ${Date.now()}`;
  await page.getByLabel("Scenario name").fill(name);
  await page.getByRole("button", { name: "Save" }).click();
  const saved = page.getByTestId("twin-scenarios").locator("li", { hasText: name });
  await expect(saved).toContainText("off-spec");

  await page.getByRole("button", { name: "Back to live" }).click();
  await expect(page.getByTestId("twin-mode")).toHaveText("Live");
  await saved.getByRole("button", { name: "Load" }).click();
  await expect(page.getByTestId("lever-value-uvtPct")).toHaveText(/^60(\.0)? %$/);
  await expect(page.getByTestId("twin-verdict")).toContainText("Off-spec");

  await saved.getByRole("button", { name: "Delete" }).click();
  await expect(saved).toHaveCount(0);
});

test("a viewer watches the twin but cannot run what-if", async ({ page }) => {
  await signIn(page, DEMO.viewer, "/systems/NBG-03/twin");
  await expect(page.getByTestId("twin-label-pump-1")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("twin-viewer-note")).toContainText("needs a technician, manager or admin role");
  await expect(page.getByRole("slider", { name: "Pump speed" })).toBeDisabled();
  await expect(page.getByLabel("Scenario name")).toHaveCount(0);
});
