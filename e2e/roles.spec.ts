import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

test.describe("roles", () => {
  test("a technician is refused the admin pages and has no admin navigation", async ({ page }) => {
    await signIn(page, DEMO.technician);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/forbidden\?need=admin/);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    await expect(page.getByText("It needs the Admin role.")).toBeVisible();
  });

  test("a technician's browser cannot call an admin procedure either", async ({ page }) => {
    await signIn(page, DEMO.technician);
    const res = await page.request.get("/api/trpc/admin.users.list");
    expect(res.status()).toBe(403);
    expect(JSON.stringify(await res.json())).toContain("FORBIDDEN");
  });

  test("an admin manages users and devices; a new device's token is shown once", async ({ page }) => {
    await signIn(page, DEMO.admin);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
    await expect(page.getByRole("heading", { name: "Admin" })).toBeVisible();
    await expect(page.getByTestId("users-list")).toContainText("technician@ecomate.local");
    await expect(page.getByTestId("users-list")).not.toContainText("admin@alpine.local");
    await page.getByLabel("System", { exact: true }).selectOption("NBG-02");
    await page.getByRole("button", { name: "Create device" }).click();
    await expect(page.getByTestId("device-token")).toHaveText(/^ecm_[A-Za-z0-9_-]{43}$/);
    const first = await page.getByTestId("device-token").textContent();
    // what to put on the device: its MQTT username and topic with the token
    const status = page.getByRole("status").filter({ hasText: "shown only once" });
    await expect(status).toContainText(/MQTT topic\s*ecomate\/v1\/.+\/telemetry/);
    const deviceId = (await status.locator("dd.font-mono").first().textContent())!.trim();
    await page.getByRole("button", { name: "I have stored it" }).click();
    await expect(page.getByTestId("device-token")).toHaveCount(0);
    // rotating asks first, then shows a new token once
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("devices-list").locator("li", { hasText: deviceId }).getByRole("button", { name: "Rotate" }).click();
    await expect(page.getByTestId("device-token")).toHaveText(/^ecm_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByTestId("device-token").textContent()).not.toBe(first);
    await expect(page.getByRole("status").filter({ hasText: "The old token stopped working" })).toBeVisible();
  });
});
