/**
 * Seeded, portable pseudo-random numbers: the one noise source of foley (initial latents, DDPM / ancestral /
 * SDE steps, Griffin-Lim phases).
 *
 * Algorithm (fixed by `test/utils/random.test.ts`, which checks it against an independent Python
 * reimplementation):
 * - Generator: xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021):
 *   128 bits of state (four uint32 words), period 2^128 − 1, output `rotl(s1 · 5, 7) · 9`. Pure 32-bit
 *   integer arithmetic (`Math.imul`, shifts, xor), so every JavaScript engine produces the same bits.
 * - Seeding: the seed (any safe integer, |seed| < 2^53; negative seeds are taken modulo 2^64) is expanded by
 *   SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): two outputs give the four state words, low word first.
 * - `nextFloat()`: 53 random bits, `(a >>> 5) · 2^26 + (b >>> 6)` over 2^53, uniform on [0, 1) (two draws).
 * - `nextNormal()`: Marsaglia's polar method (1964) on `u, v = 2·nextFloat() − 1`, rejecting `s = u² + v²`
 *   outside (0, 1); yields `u·f` then `v·f`, `f = sqrt(−2·ln(s) / s)`. The logarithm is `portableLog` below,
 *   built from +, −, ×, ÷ only, and `Math.sqrt` is correctly rounded by IEEE 754, so normals are bit-identical
 *   in every engine (`Math.log`/`Math.cos` are not guaranteed to be: ECMAScript leaves their accuracy to
 *   the implementation).
 * - `fork(streamId)`: an independent generator whose seed is a SplitMix64 hash of this generator's seed key
 *   and `streamId`; it depends on neither the parent's position nor on other forks, so one stream per
 *   waveform makes a batch's results independent of its composition.
 *
 * @example
 * const rng = new Rng(42);
 * const latents = rng.fill(new Float32Array(8 * 256 * 16)); // N(0, 1), identical in Node and browsers
 * const second = new Rng(42).fork(1);                         // the noise of waveform 1 in any batch
 */

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** SplitMix64's output function (Stafford's "Mix13" variant), on 64-bit unsigned BigInts. */
function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function toKey(seed: number | bigint): bigint {
  if (typeof seed === 'bigint') return BigInt.asUintN(64, seed);
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer (|seed| < 2^53), got: ${seed}`);
  }
  return BigInt.asUintN(64, BigInt(seed));
}

// Globals cached in module scope: inside vm contexts (jest) every global lookup goes through an interceptor.
const imul = Math.imul;
const sqrt = Math.sqrt;
const INFINITY = 1 / 0;

const LN2_HI = 6.93147180369123816490e-1; // ln 2 split so that e · LN2_HI is exact for |e| < 2^11
const LN2_LO = 1.90821492927058770002e-10;
const SQRT2 = 1.4142135623730951;
const logScratch = new DataView(new ArrayBuffer(8));

/**
 * Natural logarithm from IEEE 754 +, −, ×, ÷ only, hence bit-identical across JavaScript engines.
 * x = m · 2^e with m in [√½, √2); ln m = 2·atanh(z), z = (m − 1)/(m + 1), |z| ≤ 0.1716, by its odd series
 * to z^27 (truncation below 1e-20). Accurate to about 1 ulp; defined for finite x > 0 (NaN otherwise).
 */
export function portableLog(x: number): number {
  if (!(x > 0) || x === INFINITY) return x === INFINITY ? INFINITY : x === 0 ? -INFINITY : 0 / 0;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: bring subnormals into the normal range
    e = -54;
  }
  logScratch.setFloat64(0, x);
  const hi = logScratch.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  logScratch.setUint32(0, (hi & 0x800fffff) | 0x3ff00000);
  let m = logScratch.getFloat64(0);
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let p = 1 / 27;
  for (let k = 12; k >= 0; k--) p = p * z2 + 1 / (2 * k + 1);
  return e * LN2_HI + (e * LN2_LO + 2 * z * p);
}

/** Seeded xoshiro128** generator with a portable normal sampler; see the module comment for the algorithm. */
export class Rng {
  /** The 64-bit seed key this stream was built from (forks hash it with their stream id). */
  readonly key: bigint;
  /** xoshiro128** state words s0…s3 (an Int32Array: plain fields would box values beyond V8's 31-bit Smis). */
  private readonly s = new Int32Array(4);
  private spareNormal = 0;
  private hasSpareNormal = false;

  /** @param seed any safe integer (or a BigInt, taken modulo 2^64). */
  constructor(seed: number | bigint) {
    this.key = toKey(seed);
    let x = this.key;
    x = (x + GOLDEN_GAMMA) & MASK64;
    const a = mix64(x);
    x = (x + GOLDEN_GAMMA) & MASK64;
    const b = mix64(x);
    const s = this.s;
    s[0] = Number(a & 0xffffffffn) | 0;
    s[1] = Number(a >> 32n) | 0;
    s[2] = Number(b & 0xffffffffn) | 0;
    s[3] = Number(b >> 32n) | 0;
    // The all-zero state is the one fixed point of xoshiro; SplitMix64 cannot produce it, but be safe.
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  /** Next 32 random bits as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const s1 = s[1];
    const result = imul(rotl(imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s[2] ^= s[0];
    s[3] ^= s1;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits (consumes two 32-bit outputs). */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal N(0, 1) by the polar method (bit-identical across engines, see `portableLog`). */
  nextNormal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    for (;;) {
      const u = 2 * this.nextFloat() - 1;
      const v = 2 * this.nextFloat() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = sqrt((-2 * portableLog(s)) / s);
      this.spareNormal = v * f;
      this.hasSpareNormal = true;
      return u * f;
    }
  }

  /**
   * Fills `out` with N(mean, std²) samples (rounded to float32) and returns it. Filling n then m values
   * gives the same numbers as filling n + m at once.
   */
  fill(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.nextNormal();
    return out;
  }

  /** Fills `out` with uniform samples on [low, high) and returns it. */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.nextFloat();
    return out;
  }

  /**
   * An independent stream for `streamId` (a non-negative safe integer), derived from this stream's seed key
   * only: `new Rng(s).fork(k)` is the same stream wherever and whenever it is made.
   */
  fork(streamId: number): Rng {
    if (!Number.isSafeInteger(streamId) || streamId < 0) {
      throw new RangeError(`streamId must be a non-negative safe integer, got: ${streamId}`);
    }
    return new Rng(mix64(this.key ^ mix64((BigInt(streamId) + GOLDEN_GAMMA) & MASK64)));
  }

  /** A copy in the same state: both continue with identical sequences. */
  clone(): Rng {
    const copy = new Rng(this.key);
    copy.s.set(this.s);
    copy.spareNormal = this.spareNormal;
    copy.hasSpareNormal = this.hasSpareNormal;
    return copy;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** `n` standard-normal float32 samples from `rng` (a fresh array; see `Rng.fill` for a caller-owned one). */
export function randn(n: number, rng: Rng): Float32Array {
  return rng.fill(new Float32Array(n));
}
