// Seeded, serialisable randomness for the simulator. A stream is a plain `{ s }` object (one
// uint32), so a simulator snapshot is plain JSON and a restored run continues the same sequence.

export interface RngStream {
  s: number;
}

/** 32-bit avalanche mix (the MurmurHash3 finaliser). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uint32 seed from any mix of numbers and strings (FNV-1a over the parts, then mixed). */
export function seedFrom(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = `${typeof part}:${part};`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return fmix32(h);
}

export function createStream(seed: number): RngStream {
  return { s: seed >>> 0 };
}

/** Uniform in [0, 1): a Weyl sequence through fmix32 (SplitMix-style; period 2^32). */
export function uniform(rng: RngStream): number {
  rng.s = (rng.s + 0x9e3779b9) >>> 0;
  return fmix32(rng.s) / 4294967296;
}

/** Uniform in [lo, hi). */
export function between(rng: RngStream, lo: number, hi: number): number {
  return lo + (hi - lo) * uniform(rng);
}

/** Standard normal (Box–Muller; one value per call keeps the state a single number). */
export function normal(rng: RngStream): number {
  const u1 = 1 - uniform(rng); // (0, 1]
  const u2 = uniform(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Exponential with mean `mean`. */
export function exponential(rng: RngStream, mean: number): number {
  return -mean * Math.log(1 - uniform(rng));
}

/** Picks a key with probability proportional to its weight. */
export function weighted<K extends string>(rng: RngStream, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let u = uniform(rng) * total;
  for (const [key, w] of entries) {
    u -= w;
    if (u < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/**
 * Remaining life of an item of age `age` under Weibull(β, η), conditional on survival to `age`:
 * t = η·((age/η)^β − ln U)^(1/β) − age  (domain.md §2.5 sampling, made conditional).
 * A hazard multiplier m scales the hazard: η_m = η·m^(−1/β).
 */
export function weibullRemaining(rng: RngStream, beta: number, eta: number, age: number, hazardMultiplier = 1): number {
  const etaM = eta * hazardMultiplier ** (-1 / beta);
  const u = 1 - uniform(rng);
  const a = Math.max(0, age) / etaM;
  return etaM * (a ** beta - Math.log(u)) ** (1 / beta) - Math.max(0, age);
}

/** Stateless uniform [0, 1) for values anchored to absolute time (same on every run). */
export function hashUniform(...parts: (number | string)[]): number {
  return seedFrom(...parts) / 4294967296;
}
