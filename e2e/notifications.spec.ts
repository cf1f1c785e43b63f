import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

// A manager's phone: OS notifications go through the service worker (public/sw.js), the only way
// Chrome for Android shows them; the test button takes the same path as an alert.
test.use({ viewport: { width: 390, height: 844 } });

test("with notifications allowed, a manager's test notification is shown through the service worker", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["notifications"], { origin: baseURL });
  await signIn(page, DEMO.manager, "/settings/notifications");
  await expect(page.getByTestId("browser-permission")).toHaveAttribute("data-permission", "granted");

  await page.getByTestId("notify-test").click();
  await expect(page.getByTestId("notify-test-result")).toHaveAttribute("data-outcome", "shown");

  // registered for the whole app, and served without a stale copy
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope ?? null);
  expect(scope).toBe(new URL("/", baseURL).href);
  const sw = await page.request.get("/sw.js");
  expect(sw.status()).toBe(200);
  expect(sw.headers()["cache-control"]).toContain("no-cache");
});

test("the app can be added to a phone's home screen: a manifest whose icons load", async ({ page }) => {
  // /fleet: a technician on /work-orders is sent on to ?mine=1, which signIn would take for a wrong page
  await signIn(page, DEMO.technician, "/fleet");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBeTruthy();
  const manifest = await (await page.request.get(href!)).json();
  expect(manifest).toMatchObject({ name: "EcoMate", display: "standalone", start_url: "/work-orders" });
  for (const icon of manifest.icons as { src: string; sizes: string }[]) {
    const res = await page.request.get(icon.src);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()["content-type"]).toBe("image/png");
  }
});
