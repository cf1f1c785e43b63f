import { describe, expect, it } from "vitest";
import { DEFAULT_UNIT_PARAMS, calibrateKCal } from "./unit";
import {
  lampAgeFactor,
  lampTemperatureFactor,
  lampUvcPower,
  lampWarmupFactor,
  logCredit,
  reactorDose,
  requiredDoseForLogCredit,
  sensorIntensityWm2,
} from "./uv";
import { absorbanceFromUvt, absorptionCoefficient, uvtFromAbsorbance } from "./water";

// domain.md §1.4 worked example: 150 W amalgam, η_UVC 0.33, T_sleeve 0.95, r1 1.25, r2 4.45, L 90 cm.
const geometry = { r1Cm: 1.25, r2Cm: 4.45, lengthCm: 90 };
const uvc = (lampW: number, ageFactor = 1, fouling = 1) => lampW * 0.33 * 0.95 * ageFactor * fouling * 1000;
const uvParams = { ...DEFAULT_UNIT_PARAMS.uv, gamma: 0 };

describe("UVT and absorbance", () => {
  it("A254 = 2 − log10(UVT%), α = ln10·A", () => {
    expect(absorbanceFromUvt(100)).toBe(0);
    expect(absorbanceFromUvt(10)).toBeCloseTo(1, 12);
    expect(absorptionCoefficient(90)).toBeCloseTo(2.302585 * 0.045757, 5);
    expect(uvtFromAbsorbance(absorbanceFromUvt(87.3))).toBeCloseTo(87.3, 10);
  });
});

describe("reactor dose: domain.md §1.4 worked example", () => {
  const kCal = calibrateKCal(uvParams, { doseMjCm2: 40, flowM3h: 10, uvtPct: 90, ageFactor: 0.8, fouling: 0.9 });

  it("anchors k_cal ≈ 1.21 (40 mJ/cm² at 10 m³/h, UVT 90 %, f_age 0.8, f_foul 0.9, γ = 0)", () => {
    expect(kCal).toBeCloseTo(1.21, 2);
  });

  // Q [m³/h] -> [UVT 95 new, UVT 90 new, UVT 90 EOLL+fouled, UVT 85 EOLL+fouled]
  const table: [number, number[]][] = [
    [5, [121, 111, 80, 74]],
    [8, [75, 69, 50, 46]],
    [10, [60, 56, 40, 37]],
    [12, [50, 46, 33, 31]],
  ];
  const cases = [
    { uvt: 95, age: 1, foul: 1 },
    { uvt: 90, age: 1, foul: 1 },
    { uvt: 90, age: 0.8, foul: 0.9 },
    { uvt: 85, age: 0.8, foul: 0.9 },
  ];
  for (const [q, expected] of table) {
    it(`Q = ${q} m³/h`, () => {
      cases.forEach((c, i) => {
        const red = reactorDose(geometry, uvc(150, c.age, c.foul), c.uvt, q, { kCal, gamma: 0 }).redMjCm2!;
        expect(Math.abs(red - expected[i]!)).toBeLessThanOrEqual(0.6);
      });
    });
  }

  it("hydraulic residence time is about 1.9 s at 10 m³/h", () => {
    expect(reactorDose(geometry, uvc(150), 95, 10, { kCal, gamma: 0 }).residenceTimeS!).toBeCloseTo(1.9, 1);
  });

  it("D_avg -> P_UV·d/Q as α -> 0 and E_avg·t_HRT = D_avg", () => {
    const d = reactorDose(geometry, uvc(150), 100, 10, { kCal: 1, gamma: 0 });
    expect(d.avgDoseMjCm2!).toBeCloseTo((uvc(150) * 3.2) / ((10 * 1e6) / 3600), 9);
    const e = reactorDose(geometry, uvc(150), 88, 7, { kCal: 1, gamma: 0 });
    expect(e.avgFluenceRateMwCm2 * e.residenceTimeS!).toBeCloseTo(e.avgDoseMjCm2!, 9);
  });

  it("γ > 0 makes RED more UVT-sensitive than the average dose", () => {
    const ratio = (gamma: number) =>
      reactorDose(geometry, uvc(150), 95, 10, { kCal: 1, gamma }).redMjCm2! / reactorDose(geometry, uvc(150), 85, 10, { kCal: 1, gamma }).redMjCm2!;
    expect(ratio(0.5)).toBeGreaterThan(ratio(0));
  });
});

describe("sensor reading: domain.md §1.4", () => {
  it("an 80 W lamp reads ≈ 85 W/m² at UVT 95 % and ≈ 59 W/m² at UVT 85 %", () => {
    expect(Math.abs(sensorIntensityWm2(geometry, uvc(80), 95) - 85)).toBeLessThan(1);
    expect(Math.abs(sensorIntensityWm2(geometry, uvc(80), 85) - 59)).toBeLessThan(1);
  });

  it("the sensor falls about 30 % from UVT 95 to 85 % while the average dose falls only about 15 %", () => {
    const sensorDrop = 1 - sensorIntensityWm2(geometry, uvc(80), 85) / sensorIntensityWm2(geometry, uvc(80), 95);
    const dose = (uvt: number) => reactorDose(geometry, uvc(80), uvt, 10, { kCal: 1, gamma: 0 }).avgDoseMjCm2!;
    const doseDrop = 1 - dose(85) / dose(95);
    expect(sensorDrop).toBeGreaterThan(0.27);
    expect(sensorDrop).toBeLessThan(0.33);
    expect(doseDrop).toBeGreaterThan(0.12);
    expect(doseDrop).toBeLessThan(0.18);
  });

  it("scales with the window factor", () => {
    expect(sensorIntensityWm2(geometry, uvc(150), 90, 0.9)).toBeCloseTo(0.9 * sensorIntensityWm2(geometry, uvc(150), 90), 9);
  });
});

describe("lamp model: domain.md §1.5", () => {
  const lamp = DEFAULT_UNIT_PARAMS.uv.lamp;

  it("f_age starts at 1, drops about 5 % in the first few hundred hours and reaches EOLL at h_EOL", () => {
    expect(lampAgeFactor(lamp, 0)).toBe(1);
    expect(lampAgeFactor(lamp, 500)).toBeGreaterThan(0.94);
    expect(lampAgeFactor(lamp, 500)).toBeLessThan(0.955);
    expect(lampAgeFactor(lamp, 12_000)).toBeCloseTo(0.85, 9);
  });

  it("f_age is monotone non-increasing", () => {
    let previous = Infinity;
    for (let h = 0; h <= 30_000; h += 37) {
      const f = lampAgeFactor(lamp, h);
      expect(f).toBeLessThanOrEqual(previous);
      previous = f;
    }
  });

  it("temperature: amalgam ±10 % clipped; standard LP optimum at 22 °C, floor 0.5", () => {
    expect(lampTemperatureFactor("amalgam", 20)).toBe(1);
    expect(lampTemperatureFactor("amalgam", 5)).toBeCloseTo(0.94, 9);
    expect(lampTemperatureFactor("amalgam", 60)).toBe(1.1);
    expect(lampTemperatureFactor("amalgam", -20)).toBe(0.9);
    expect(lampTemperatureFactor("low-pressure", 22)).toBe(1);
    expect(lampTemperatureFactor("low-pressure", 2)).toBeCloseTo(0.5, 9);
    expect(lampTemperatureFactor("low-pressure", 60)).toBe(0.5);
  });

  it("warm-up: f_warm = 1 − exp(−t/τ_w)", () => {
    expect(lampWarmupFactor(3, 0)).toBe(0);
    expect(lampWarmupFactor(3, 3)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(lampWarmupFactor(3, Infinity)).toBe(1);
  });

  it("P_UV multiplies all factors; an off lamp gives nothing", () => {
    const on = lampUvcPower(lamp, { on: true, hours: 12_000, fouling: 0.9, dimming: 0.8 }, 20, 0.95);
    expect(on.uvcMw).toBeCloseTo(150 * 0.8 * 0.33 * 0.85 * 0.95 * 0.9 * 1000, 6);
    expect(on.electricalW).toBeCloseTo((150 * 0.8) / 0.9, 9);
    expect(lampUvcPower(lamp, { on: false, hours: 0 }, 20, 0.95)).toMatchObject({ uvcMw: 0, electricalW: 0 });
  });
});

describe("log credit: domain.md §1.2 table", () => {
  it("interpolates linearly between table points and caps at 4 log", () => {
    expect(logCredit("virus", 39)).toBeCloseTo(0.5, 12);
    expect(logCredit("virus", 40)).toBeCloseTo(0.5 + 0.5 / 19, 12);
    expect(logCredit("virus", 186)).toBe(4);
    expect(logCredit("virus", 500)).toBe(4);
    expect(logCredit("cryptosporidium", 12)).toBeCloseTo(3, 12);
    expect(logCredit("giardia", 1)).toBe(0);
  });

  it("requiredDoseForLogCredit is its inverse", () => {
    for (const credit of [0.5, 1.25, 2, 3.7, 4]) {
      expect(logCredit("virus", requiredDoseForLogCredit("virus", credit))).toBeCloseTo(credit, 9);
    }
  });
});
