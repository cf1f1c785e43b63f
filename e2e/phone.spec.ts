import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

test("on a phone, a technician signs in, opens the menu and reaches a system", async ({ page }) => {
  await signIn(page, DEMO.technician);
  // the desktop navigation is hidden; the menu button opens the same links
  await expect(page.getByRole("navigation", { name: "Main", exact: true })).toBeHidden();
  await page.getByLabel("Menu").click();
  await expect(page.getByRole("navigation", { name: "Main (mobile)" }).getByRole("link", { name: "Work orders" })).toBeVisible();
  await page.keyboard.press("Escape");
  await page.getByRole("link", { name: /NAI-01/ }).click();
  await expect(page.getByRole("heading", { name: /NAI-01/ })).toBeVisible();
  // nothing wider than the screen
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
