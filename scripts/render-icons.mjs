// Renders the app icons (public/icons/*.png: home screen, notifications, iOS) from public/favicon.svg
// with the machine's chromium: `node scripts/render-icons.mjs` after the logo changes.
import { chromium } from "playwright";
import { readFileSync } from "node:fs";
const svg = readFileSync(new URL("../public/favicon.svg", import.meta.url), "utf8");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
for (const [size, name, pad] of [[192, "icon-192.png", 0], [512, "icon-512.png", 0], [512, "icon-maskable-512.png", 0.1], [180, "apple-touch-icon.png", 0]]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  // maskable: the safe zone is the inner 80 %, so the drop sits on a full-bleed background
  const inner = pad ? `<div style="width:100%;height:100%;background:#0e7490;display:flex;align-items:center;justify-content:center"><div style="width:${100 - pad * 200}%;height:${100 - pad * 200}%">${svg.replace("<svg ", '<svg width="100%" height="100%" ')}</div></div>` : svg.replace("<svg ", '<svg width="100%" height="100%" ');
  await page.setContent(`<html><body style="margin:0;background:transparent">${inner}</body></html>`);
  await page.screenshot({ path: new URL(`../public/icons/${name}`, import.meta.url).pathname, omitBackground: !pad });
  await page.close();
}
await browser.close();
