/**
 * Seeded random numbers for initialisation, shuffling, dropout masks and reparameterisation noise.
 * Counter-based streams: `new Rng(seed, a, b, …)` always yields the same sequence for the same key, so a run can
 * draw step s's masks from (seed, s) without replaying steps 0…s−1 — which is what makes resume exact.
 * The generator is xoshiro128** seeded through splitmix32 of the key.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number, ...stream: number[]) {
    let h = splitmix32(seed >>> 0);
    for (const k of stream) h = splitmix32((h ^ Math.imul(k >>> 0, 0x9e3779b9)) >>> 0);
    this.s0 = splitmix32(h);
    this.s1 = splitmix32(this.s0 ^ 0x6a09e667);
    this.s2 = splitmix32(this.s1 ^ 0xbb67ae85);
    this.s3 = splitmix32(this.s2 ^ 0x3c6ef372) | 1;
  }

  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  fillNormal(out: Float32Array | Float64Array, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * std;
  }

  /** Inverted-dropout mask: 0 with probability p, else 1/(1−p). */
  fillDropout(out: Float32Array | Float64Array, p: number): void {
    const keep = 1 / (1 - p);
    const cut = p * 4294967296;
    for (let i = 0; i < out.length; i++) out[i] = this.nextU32() < cut ? 0 : keep;
  }

  /** Each of the `out.length / k` rows: k distinct indices of 0…of−1 in increasing order, uniformly (Floyd's algorithm). */
  fillSubsets(out: BigInt64Array, k: number, of: number): void {
    const chosen = new Uint8Array(of);
    for (let r = 0; r < out.length / k; r++) {
      chosen.fill(0);
      for (let j = of - k; j < of; j++) {
        const t = Math.floor(this.uniform() * (j + 1));
        chosen[chosen[t] ? j : t] = 1;
      }
      let w = r * k;
      for (let i = 0; i < of; i++) if (chosen[i]) out[w++] = BigInt(i);
    }
  }

  /** A uniformly random permutation of 0…n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
