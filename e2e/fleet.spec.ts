import { expect, test } from "@playwright/test";
import { DEMO, NORDWASSER_SYSTEMS, signIn } from "./fixtures";

test.describe("fleet", () => {
  test("the manager sees every site and system of the organisation, and none of another", async ({ page }) => {
    await signIn(page, DEMO.manager);
    await expect(page.getByTestId("site-name")).toHaveText(["Lisbon Hillside Estate", "Nairobi Clinic Campus", "Nuremberg Water Works"]);
    const codes = await page.getByTestId("system-row").locator("span.font-mono").allTextContents();
    expect(codes.sort()).toEqual(NORDWASSER_SYSTEMS);
    await expect(page.getByText("INN-01")).toHaveCount(0);
  });

  test("a system page shows its components, bill of materials and compliance basis", async ({ page }) => {
    await signIn(page, DEMO.viewer);
    await page.getByRole("link", { name: /NBG-03/ }).click();
    await expect(page).toHaveURL(/\/systems\/NBG-03$/);
    await expect(page.getByRole("heading", { name: /NBG-03/ })).toBeVisible();
    await expect(page.getByTestId("component").filter({ hasText: "UV lamp 2" }).last()).toBeVisible();
    await expect(page.getByText("UVL-150-AM").first()).toBeVisible();
    await expect(page.getByText("40 mJ/cm²")).toBeVisible();
  });

  test("another organisation's system is not found", async ({ page }) => {
    await signIn(page, DEMO.viewer);
    const res = await page.goto("/systems/INN-01");
    expect(res?.status()).toBe(404);
  });

  test("the health endpoint reports every part up", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok", broker: "ok" });
  });
});
