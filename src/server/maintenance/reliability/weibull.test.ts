import { describe, expect, it } from "vitest";
import { fitWeibull, gamma, medianRanks, reliabilityCurve, weibullReliability, type LifeSample } from "./weibull";

const failed = (...t: number[]): LifeSample[] => t.map((time) => ({ time, failed: true }));
const running = (...t: number[]): LifeSample[] => t.map((time) => ({ time, failed: false }));

describe("fitWeibull", () => {
  it("matches the textbook MLE of a complete sample (ReliaSoft Life Data Analysis Reference: β = 1.933, η = 73.526)", () => {
    // Six units failed at 16, 34, 53, 75, 93 and 120 h. The reference gives MLE β = 1.933, η = 73.526 h;
    // the profile equation Σ T^β ln T / Σ T^β − 1/β = mean ln t = 3.98447 holds at β = 1.93268.
    const { fit } = fitWeibull(failed(16, 34, 53, 75, 93, 120), 0.9);
    expect(fit).not.toBeNull();
    expect(fit!.beta).toBeCloseTo(1.933, 3);
    expect(fit!.eta).toBeCloseTo(73.526, 3);
    // Fisher bounds on the log scale, 90 %: se(β) = 0.64892, se(η) = 16.3293 from the inverse observed information,
    // β · exp(±1.6449 · 0.64892 / 1.93268) = [1.1125, 3.3575], η · exp(±1.6449 · 16.3293 / 73.526) = [51.026, 105.947].
    expect(fit!.betaInterval![0]).toBeCloseTo(1.1125, 3);
    expect(fit!.betaInterval![1]).toBeCloseTo(3.3575, 3);
    expect(fit!.etaInterval![0]).toBeCloseTo(51.026, 2);
    expect(fit!.etaInterval![1]).toBeCloseTo(105.947, 2);
    expect(fit!.failures).toBe(6);
    expect(fit!.suspensions).toBe(0);
  });

  it("uses right-censored units: three running units lengthen η and flatten β", () => {
    // Same failures plus units still running at 60, 100 and 150 h. Reference values from a direct
    // Nelder–Mead maximisation of the full censored log-likelihood (no profile, no Newton):
    // β = 1.60021, η = 108.218 h; 95 % Fisher bounds β [0.8137, 3.1470], η [65.469, 178.883]; mean life η Γ(1 + 1/β) = 97.025 h.
    const { fit } = fitWeibull([...failed(16, 34, 53, 75, 93, 120), ...running(60, 100, 150)], 0.95);
    expect(fit!.beta).toBeCloseTo(1.60021, 4);
    expect(fit!.eta).toBeCloseTo(108.218, 2);
    expect(fit!.betaInterval![0]).toBeCloseTo(0.8137, 3);
    expect(fit!.betaInterval![1]).toBeCloseTo(3.147, 3);
    expect(fit!.etaInterval![0]).toBeCloseTo(65.469, 2);
    expect(fit!.etaInterval![1]).toBeCloseTo(178.883, 2);
    expect(fit!.meanLife).toBeCloseTo(97.025, 2);
    expect(fit!.suspensions).toBe(3);
  });

  it("satisfies the score equations at the optimum and does not depend on the time unit", () => {
    const samples = [...failed(1000, 1490, 1800), ...running(1494, 2192, 4000)];
    const { fit } = fitWeibull(samples);
    const { beta, eta } = fit!;
    // ∂lnL/∂η = 0  ⇔  Σ (T/η)^β = r
    expect(samples.reduce((s, x) => s + (x.time / eta) ** beta, 0)).toBeCloseTo(3, 9);
    // β = 1.65187, η = 3252.06 h (the hand computation is in test/integration/reliability.test.ts)
    expect(beta).toBeCloseTo(1.65187, 4);
    expect(eta).toBeCloseTo(3252.06, 1);
    const inDays = fitWeibull(samples.map((s) => ({ ...s, time: s.time / 24 }))).fit!;
    expect(inDays.beta).toBeCloseTo(beta, 9);
    expect(inDays.eta * 24).toBeCloseTo(eta, 6);
  });

  it("refuses data with no failures, or with the only failure at the longest time", () => {
    expect(fitWeibull(running(100, 200)).fit).toBeNull();
    expect(fitWeibull(running(100, 200)).reason).toMatch(/no failures/);
    const single = fitWeibull([...failed(500), ...running(100, 200)]);
    expect(single.fit).toBeNull();
    expect(single.reason).toMatch(/longest time/);
    expect(fitWeibull(failed(100, 100, 100)).fit).toBeNull();
    expect(fitWeibull([{ time: 0, failed: true }]).reason).toMatch(/positive/);
  });

  it("fits one failure when a longer-running unit bounds it (no covariance is claimed it cannot support)", () => {
    const r = fitWeibull([...failed(100), ...running(300)]);
    expect(r.fit).not.toBeNull();
    // Σ (T/η)^β = 1 must hold whatever β is
    expect((100 / r.fit!.eta) ** r.fit!.beta + (300 / r.fit!.eta) ** r.fit!.beta).toBeCloseTo(1, 9);
  });
});

describe("reliability", () => {
  it("R(η) = e^−1 for any β, and the Monte Carlo example of domain.md §2.5 (β 2, η 75,000 h: t = 51,470 h at U = 0.3756)", () => {
    expect(weibullReliability(40, 3, 40)).toBeCloseTo(Math.exp(-1), 12);
    expect(1 - weibullReliability(51_470, 2, 75_000)).toBeCloseTo(0.3756, 4);
    expect(weibullReliability(0, 2, 10)).toBe(1);
  });

  it("draws R(t) with a band that contains it and widens away from the data", () => {
    const { fit } = fitWeibull([...failed(16, 34, 53, 75, 93, 120), ...running(60, 100, 150)], 0.9);
    const curve = reliabilityCurve(fit!, 300, 30);
    expect(curve).toHaveLength(31);
    expect(curve[0]).toEqual({ t: 0, r: 1, lower: 1, upper: 1 });
    for (const p of curve.slice(1)) {
      expect(p.lower!).toBeLessThan(p.r);
      expect(p.upper!).toBeGreaterThan(p.r);
    }
    const at = (t: number) => curve.find((p) => p.t === t)!;
    expect(at(300).r).toBeCloseTo(weibullReliability(300, fit!.beta, fit!.eta), 12);
  });

  it("Johnson's adjusted ranks with Bernard's approximation", () => {
    // n = 5: F 10, S 20, F 30, S 40, F 50.
    // rank 1 (reverse rank 5): 0 + (6 − 0)/(1 + 5) = 1          -> (1 − 0.3)/5.4 = 0.12963
    // 20 is suspended
    // rank 2 (reverse rank 3): 1 + (6 − 1)/(1 + 3) = 2.25       -> (2.25 − 0.3)/5.4 = 0.36111
    // rank 3 (reverse rank 1): 2.25 + (6 − 2.25)/(1 + 1) = 4.125 -> (4.125 − 0.3)/5.4 = 0.70833
    const ranks = medianRanks([...failed(50, 10, 30), ...running(40, 20)]);
    expect(ranks.map((p) => p.time)).toEqual([10, 30, 50]);
    expect(ranks[0]!.unreliability).toBeCloseTo(0.12963, 5);
    expect(ranks[1]!.unreliability).toBeCloseTo(0.36111, 5);
    expect(ranks[2]!.unreliability).toBeCloseTo(0.70833, 5);
  });

  it("Γ", () => {
    expect(gamma(5)).toBeCloseTo(24, 10);
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 12);
    expect(gamma(1 + 1 / 2)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 12);
  });
});
