import { describe, expect, it } from "vitest";
import { fitProjection } from "./map-projection";

describe("site map projection", () => {
  const sites = [
    { latitude: 49.4521, longitude: 11.0767 }, // Nuremberg
    { latitude: 38.7223, longitude: -9.1393 }, // Lisbon
    { latitude: -1.2921, longitude: 36.8219 }, // Nairobi
  ];

  it("fits every site inside the frame, north up, west left", () => {
    const frame = fitProjection(sites, 800);
    const [nbg, lis, nbo] = sites.map((s) => frame.project(s.latitude, s.longitude));
    for (const p of [nbg!, lis!, nbo!]) {
      expect(p.x).toBeGreaterThanOrEqual(36 - 1e-9);
      expect(p.x).toBeLessThanOrEqual(800 - 36 + 1e-9);
      expect(p.y).toBeGreaterThanOrEqual(36 - 1e-9);
      expect(p.y).toBeLessThanOrEqual(frame.height - 36 + 1e-9);
    }
    expect(nbg!.y).toBeLessThan(nbo!.y);
    expect(lis!.x).toBeLessThan(nbg!.x);
    expect(frame.height).toBeGreaterThanOrEqual(200);
    expect(frame.height).toBeLessThanOrEqual(420);
    expect(frame.latitudes.length).toBeGreaterThan(1);
    expect(frame.longitudes.length).toBeGreaterThan(1);
  });

  it("centres a single site", () => {
    const frame = fitProjection([{ latitude: 47.27, longitude: 11.4 }], 375);
    const p = frame.project(47.27, 11.4);
    expect(p.x).toBeCloseTo(187.5);
    expect(p.y).toBeCloseTo(frame.height / 2);
  });
});
