import { expect, type Page } from "@playwright/test";

// The demo users of the seed (README: "Demo users").
export const DEMO = {
  admin: { email: "admin@ecomate.local", password: "admin-demo-pass", name: "Ada Admin", label: "Admin" },
  manager: { email: "manager@ecomate.local", password: "manager-demo-pass", name: "Mara Manager", label: "Manager" },
  technician: { email: "technician@ecomate.local", password: "technician-demo-pass", name: "Tomás Technician", label: "Technician" },
  viewer: { email: "viewer@ecomate.local", password: "viewer-demo-pass", name: "Vera Viewer", label: "Viewer" },
} as const;

export const NORDWASSER_SYSTEMS = ["LIS-01", "LIS-02", "LIS-03", "LIS-04", "NAI-01", "NAI-02", "NAI-03", "NBG-01", "NBG-02", "NBG-03", "NBG-04", "NBG-05"];

export async function signIn(page: Page, who: { email: string; password: string }, path = "/fleet") {
  await page.goto(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[/?.+*()[\]{}|^$\\]/g, "\\$&")}$`));
}
