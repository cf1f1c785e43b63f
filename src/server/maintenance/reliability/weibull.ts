/**
 * Two-parameter Weibull fit by maximum likelihood with right-censored (still running) units, Fisher
 * matrix confidence bounds, and the reliability curve. Pure: no database, no I/O.
 *
 * Likelihood (failures F, r of them; all units k, failed or censored at T_k):
 *   ln L = r ln β − r β ln η + (β − 1) Σ_F ln t_i − Σ_k (T_k / η)^β
 * For a given β the best η is closed-form: η^β = Σ_k T_k^β / r. Putting it back leaves one equation in β,
 *   g(β) = Σ T^β ln T / Σ T^β − 1/β − (1/r) Σ_F ln t = 0,
 * which is strictly increasing in β, so its root is unique; we find it by Newton–Raphson kept inside
 * a bracket (bisection when a Newton step would leave it). See e.g. Abernethy, "The New Weibull
 * Handbook", ch. 5, or ReliaSoft's Life Data Analysis Reference (MLE, Fisher matrix bounds).
 */

export interface LifeSample {
  /** operating time, hours (> 0) */
  time: number;
  /** true: failed at `time`; false: still running (right-censored) at `time` */
  failed: boolean;
}

export type Confidence = 0.9 | 0.95;

export interface WeibullFit {
  /** shape β */
  beta: number;
  /** scale η (characteristic life, same unit as the times) */
  eta: number;
  /** two-sided bounds at `confidence` (Fisher matrix, on log scale so they stay positive) */
  confidence: Confidence;
  betaInterval: [number, number] | null;
  etaInterval: [number, number] | null;
  /** covariance of (β, η) from the observed information; null when it is singular */
  covariance: { beta: number; eta: number; betaEta: number } | null;
  /** mean life η Γ(1 + 1/β) */
  meanLife: number;
  failures: number;
  suspensions: number;
  logLikelihood: number;
  iterations: number;
}

export type WeibullResult = { fit: WeibullFit; reason: null } | { fit: null; reason: string };

/** Two-sided standard normal quantiles. */
const Z: Record<Confidence, number> = { 0.9: 1.6448536269514722, 0.95: 1.959963984540054 };

/**
 * Fits β and η. Needs at least one failure and some unit (failed or running) that lived longer than
 * the failures' geometric mean; otherwise the likelihood grows without bound as β → ∞ (e.g. a single
 * failure and nothing else) and there is nothing to estimate.
 */
export function fitWeibull(samples: readonly LifeSample[], confidence: Confidence = 0.9): WeibullResult {
  for (const s of samples) {
    if (!(Number.isFinite(s.time) && s.time > 0)) return { fit: null, reason: `every time must be a positive number, got ${s.time}` };
  }
  const failures = samples.filter((s) => s.failed);
  const r = failures.length;
  if (r === 0) return { fit: null, reason: "no failures: nothing to fit yet" };
  // Work on times scaled to (0, 1]: T^β never overflows, and β does not depend on the unit.
  const scale = Math.max(...samples.map((s) => s.time));
  const x = samples.map((s) => s.time / scale);
  const lx = x.map(Math.log);
  const meanLogF = failures.reduce((sum, s) => sum + Math.log(s.time / scale), 0) / r;
  // g(∞) = max ln x − mean ln x_F = −mean ln x_F (max x is 1): positive only if some failure came before the longest life.
  if (!(-meanLogF > 1e-12)) {
    return { fit: null, reason: `the ${r === 1 ? "only failure is" : "failures are all at"} the longest time observed: the shape cannot be estimated` };
  }

  const sums = (beta: number) => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < x.length; i++) {
      const p = x[i]! ** beta;
      s0 += p;
      s1 += p * lx[i]!;
      s2 += p * lx[i]! * lx[i]!;
    }
    return { s0, s1, s2 };
  };
  const g = (beta: number) => {
    const { s0, s1, s2 } = sums(beta);
    return { value: s1 / s0 - 1 / beta - meanLogF, slope: (s2 * s0 - s1 * s1) / (s0 * s0) + 1 / (beta * beta) };
  };

  let lo = 1e-3;
  let hi = 1;
  while (g(hi).value < 0) {
    lo = hi;
    hi *= 2;
    if (hi > 1e4) return { fit: null, reason: "the shape estimate exceeds 10,000: the failures are (nearly) all at one time" };
  }
  while (g(lo).value > 0 && lo > 1e-9) {
    hi = lo;
    lo /= 10;
  }
  let beta = Math.min(Math.max(1, lo), hi);
  let iterations = 0;
  for (; iterations < 200; iterations++) {
    const { value, slope } = g(beta);
    if (value === 0) break;
    if (value < 0) lo = beta;
    else hi = beta;
    let next = beta - value / slope;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    const done = Math.abs(next - beta) <= 1e-13 * beta;
    beta = next;
    if (done || hi - lo <= 1e-14 * beta) break;
  }

  const { s0 } = sums(beta);
  const etaScaled = (s0 / r) ** (1 / beta);
  const eta = etaScaled * scale;
  const logLikelihood = samples.reduce((ll, s) => {
    const z = s.time / eta;
    return ll + (s.failed ? Math.log(beta / eta) + (beta - 1) * Math.log(z) : 0) - z ** beta;
  }, 0);
  const covariance = weibullCovariance(samples, beta, eta);
  const z = Z[confidence];
  const bound = (v: number, variance: number): [number, number] => {
    const w = Math.exp((z * Math.sqrt(variance)) / v);
    return [v / w, v * w];
  };
  return {
    fit: {
      beta,
      eta,
      confidence,
      betaInterval: covariance ? bound(beta, covariance.beta) : null,
      etaInterval: covariance ? bound(eta, covariance.eta) : null,
      covariance,
      meanLife: eta * gamma(1 + 1 / beta),
      failures: r,
      suspensions: samples.length - r,
      logLikelihood,
      iterations,
    },
    reason: null,
  };
}

/**
 * The inverse of the observed information matrix −∂²lnL at (β, η): the variances of the estimates
 * and their covariance. Null when the matrix is not positive definite (too little data).
 */
export function weibullCovariance(samples: readonly LifeSample[], beta: number, eta: number): WeibullFit["covariance"] {
  const r = samples.filter((s) => s.failed).length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  for (const s of samples) {
    const u = s.time / eta;
    const p = u ** beta;
    const l = Math.log(u);
    s0 += p;
    s1 += p * l;
    s2 += p * l * l;
  }
  // second derivatives of ln L (general form, not simplified with the score equations, so they also hold off the optimum)
  const hBB = -r / (beta * beta) - s2;
  const hEE = (beta / (eta * eta)) * (r - (beta + 1) * s0);
  const hBE = (-r + s0 + beta * s1) / eta;
  const a = -hBB;
  const d = -hEE;
  const b = -hBE;
  const det = a * d - b * b;
  if (!(a > 0 && det > 0)) return null;
  return { beta: d / det, eta: a / det, betaEta: -b / det };
}

/** R(t) = exp(−(t/η)^β): the probability that a unit runs longer than t. */
export function weibullReliability(t: number, beta: number, eta: number): number {
  return t <= 0 ? 1 : Math.exp(-((t / eta) ** beta));
}

export interface ReliabilityPoint {
  t: number;
  r: number;
  /** two-sided Fisher bounds on R(t) at the fit's confidence; null when the fit has no covariance */
  lower: number | null;
  upper: number | null;
}

/**
 * R(t) on `points` times from 0 to `until` with its confidence band: bounds on u = β (ln t − ln η)
 * by the delta method, Var(u) = (u/β)² Var β + (β/η)² Var η − 2 (u/η) Cov(β, η), then R = exp(−e^u).
 */
export function reliabilityCurve(fit: WeibullFit, until: number, points = 60): ReliabilityPoint[] {
  const z = Z[fit.confidence];
  const out: ReliabilityPoint[] = [];
  for (let i = 0; i <= points; i++) {
    const t = (until * i) / points;
    if (t <= 0) {
      out.push({ t: 0, r: 1, lower: fit.covariance ? 1 : null, upper: fit.covariance ? 1 : null });
      continue;
    }
    const u = fit.beta * (Math.log(t) - Math.log(fit.eta));
    const r = Math.exp(-Math.exp(u));
    let lower: number | null = null;
    let upper: number | null = null;
    if (fit.covariance) {
      const c = fit.covariance;
      const varU = (u / fit.beta) ** 2 * c.beta + (fit.beta / fit.eta) ** 2 * c.eta - 2 * (u / fit.eta) * c.betaEta;
      const half = z * Math.sqrt(Math.max(0, varU));
      lower = Math.exp(-Math.exp(u + half));
      upper = Math.exp(-Math.exp(u - half));
    }
    out.push({ t, r, lower, upper });
  }
  return out;
}

/**
 * Plotting positions of the failures for a Weibull probability plot with censored units: Johnson's
 * adjusted ranks (each failure's rank grows by (n + 1 − previous) / (1 + units at or beyond it)) and
 * Bernard's median-rank approximation F = (rank − 0.3) / (n + 0.4). Ties: failures before suspensions.
 */
export function medianRanks(samples: readonly LifeSample[]): { time: number; unreliability: number }[] {
  const n = samples.length;
  const sorted = [...samples].sort((a, b) => a.time - b.time || Number(b.failed) - Number(a.failed));
  const out: { time: number; unreliability: number }[] = [];
  let rank = 0;
  sorted.forEach((s, i) => {
    if (!s.failed) return;
    const reverseRank = n - i;
    rank += (n + 1 - rank) / (1 + reverseRank);
    out.push({ time: s.time, unreliability: (rank - 0.3) / (n + 0.4) });
  });
  return out;
}

// Lanczos approximation (g = 7, n = 9), relative error below 1e-13 for real arguments > 0.5.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Γ(x) for x > 0. */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const y = x - 1;
  let a = LANCZOS[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (y + i);
  return Math.sqrt(2 * Math.PI) * t ** (y + 0.5) * Math.exp(-t) * a;
}
