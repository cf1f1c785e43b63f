import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

test.describe("sign-in", () => {
  for (const role of ["admin", "manager", "technician", "viewer"] as const) {
    test(`the ${role} signs in and sees their name and role`, async ({ page }) => {
      await signIn(page, DEMO[role]);
      await expect(page.getByTestId("user-name")).toHaveText(DEMO[role].name);
      await expect(page.getByTestId("user-role")).toContainText(DEMO[role].label);
      await expect(page.getByRole("heading", { name: "Fleet" })).toBeVisible();
    });
  }

  test("a wrong password gives a clear message and no session", async ({ page, context }) => {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(DEMO.manager.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password" })).toHaveText(/Wrong email or password. Check both/);
    await expect(page).toHaveURL(/\/signin/);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name.includes("session-token"))).toBeUndefined();
    const session = await page.request.get("/api/auth/session");
    expect(await session.json()).toEqual({});
    await page.goto("/fleet");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Ffleet/);
  });

  test("signed out, a page sends you to sign-in and back to it afterwards", async ({ page }) => {
    await page.goto("/systems/NBG-03");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fsystems%2FNBG-03/);
    await page.getByLabel("Email").fill(DEMO.viewer.email);
    await page.getByLabel("Password").fill(DEMO.viewer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/systems\/NBG-03$/);
    await expect(page.getByRole("heading", { name: /NBG-03/ })).toBeVisible();
  });

  test("signing out ends the session", async ({ page }) => {
    await signIn(page, DEMO.technician);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.goto("/work-orders");
    await expect(page).toHaveURL(/\/signin/);
  });
});
