/**
 * The seeded generator: exact output sequences against an independent Python reimplementation of the same
 * integer algorithm (below; run when /usr/bin/python3 exists, its first values also pinned here), and the
 * statistics of the uniform and normal samplers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Rng, portableLog, randn } from '../../src/utils/random';

/** xoshiro128** seeded by SplitMix64, in Python integers (written from the papers, not from random.ts). */
const PYTHON_REFERENCE = String.raw`
import sys, math, struct
M64 = (1 << 64) - 1
G = 0x9e3779b97f4a7c15
def mix64(z):
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)
def rotl(x, k): return ((x << k) | (x >> (32 - k))) & 0xffffffff
class X:
    def __init__(self, key):
        self.key = key & M64
        a = mix64((self.key + G) & M64); b = mix64((self.key + 2 * G) & M64)
        self.s = [a & 0xffffffff, a >> 32, b & 0xffffffff, b >> 32]
        self.spare = None
    def u32(self):
        s = self.s
        r = (rotl((s[1] * 5) & 0xffffffff, 7) * 9) & 0xffffffff
        t = (s[1] << 9) & 0xffffffff
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11)
        return r
    def f53(self):
        a = self.u32() >> 5; b = self.u32() >> 6
        return (a * 67108864 + b) / 9007199254740992.0
    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            u = 2 * self.f53() - 1; v = 2 * self.f53() - 1; s = u * u + v * v
            if s >= 1 or s == 0: continue
            f = math.sqrt(-2 * math.log(s) / s)
            self.spare = v * f
            return u * f
    def fork(self, k): return X(mix64(self.key ^ mix64((k + G) & M64)))
def f32(x): return struct.unpack('f', struct.pack('f', x))[0]
seed, n = int(sys.argv[1]), int(sys.argv[2])
r = X(seed); print(' '.join(str(r.u32()) for _ in range(n)))
r = X(seed); print(' '.join(repr(r.f53()) for _ in range(n)))
r = X(seed); print(' '.join(repr(f32(r.normal())) for _ in range(n)))
r = X(seed).fork(3); print(' '.join(str(r.u32()) for _ in range(n)))
`;

describe('exact sequences', () => {
  test('nextUint32 for seeds 0, 42, −1 and 2^53 − 1 (values from the Python reference)', () => {
    const take = (seed: number, n: number) => {
      const r = new Rng(seed);
      return Array.from({ length: n }, () => r.nextUint32());
    };
    expect(take(0, 6)).toEqual([3737715805, 2584255861, 2876756834, 3286328325, 1553311962, 1625202774]);
    expect(take(42, 6)).toEqual([1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222]);
    expect(take(-1, 3)).toEqual([477689756, 2493998634, 555695776]);
    expect(take(Number.MAX_SAFE_INTEGER, 3)).toEqual([1233166643, 1287031142, 661813442]);
  });
  test('nextFloat, normals (float32) and forks for seed 42', () => {
    const r = new Rng(42);
    expect([r.nextFloat(), r.nextFloat(), r.nextFloat()]).toEqual([0.4137016681565887, 0.003983993377814743, 0.6500837027638867]);
    expect(Array.from(new Rng(42).fill(new Float32Array(6)))).toEqual([
      1.0873020887374878, 1.3373748064041138, 0.7409935593605042, 0.5294255018234253, 0.4266490340232849, -0.46545466780662537,
    ]);
    const f = new Rng(42).fork(1);
    expect([f.nextUint32(), f.nextUint32(), f.nextUint32(), f.nextUint32()]).toEqual([2108789897, 1675837032, 3359701939, 3374257961]);
  });

  const python = '/usr/bin/python3';
  (existsSync(python) ? test : test.skip).each([7, 123456789, 2 ** 40 + 5])('seed %d: 2000 values of every stream equal the Python reference', (seed) => {
    const n = 2000;
    const lines = execFileSync(python, ['-c', PYTHON_REFERENCE, String(seed), String(n)], { encoding: 'utf8' }).trim().split('\n');
    const [u32, f53, normals, forked] = lines.map((l) => l.split(' ').map(Number));
    let r = new Rng(seed);
    expect(Array.from({ length: n }, () => r.nextUint32())).toEqual(u32);
    r = new Rng(seed);
    expect(Array.from({ length: n }, () => r.nextFloat())).toEqual(f53);
    // Python uses libm's log; ours is portableLog (≤ 1 ulp apart), so float32 normals agree bit for bit
    // except, very rarely, one float32 ulp.
    const ours = randn(n, new Rng(seed));
    const beyondOneUlp = Array.from(ours).filter((v, i) => Math.abs(v - normals[i]) > Math.abs(normals[i]) * 2 ** -23);
    expect(beyondOneUlp).toEqual([]);
    const exact = Array.from(ours).filter((v, i) => v === normals[i]).length;
    expect(exact).toBeGreaterThanOrEqual(n - 2);
    r = new Rng(seed).fork(3);
    expect(Array.from({ length: n }, () => r.nextUint32())).toEqual(forked);
  });
});

describe('portableLog', () => {
  test('within 2 ulps of Math.log over many magnitudes', () => {
    const rng = new Rng(11);
    let worstUlps = 0;
    for (let i = 0; i < 20000; i++) {
      const x = rng.nextFloat() * 2 ** (Math.floor(rng.nextFloat() * 200) - 100) + 1e-300;
      const ref = Math.log(x);
      const ulp = ref === 0 ? 5e-324 : 2 ** (Math.floor(Math.log2(Math.abs(ref))) - 52);
      worstUlps = Math.max(worstUlps, Math.abs(portableLog(x) - ref) / ulp);
    }
    expect(worstUlps).toBeLessThanOrEqual(2);
    expect(portableLog(1)).toBe(0);
    expect(portableLog(0)).toBe(-Infinity);
    expect(portableLog(-1)).toBeNaN();
    expect(portableLog(5e-324)).toBeCloseTo(Math.log(5e-324), 12);
  });
});

describe('statistics', () => {
  const N = 200_000;
  test('uniform: mean, variance and a 100-bin chi-square', () => {
    const r = new Rng(2024);
    const bins = new Array<number>(100).fill(0);
    let sum = 0;
    let sq = 0;
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const u = r.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      bins[Math.floor(u * 100)]++;
      sum += u;
      sq += u * u;
    }
    expect(outside).toBe(0);
    const mean = sum / N;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(sq / N - mean * mean - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / N));
    const expected = N / 100;
    const chi2 = bins.reduce((acc, o) => acc + (o - expected) ** 2 / expected, 0);
    // 99 degrees of freedom: mean 99, sd 14; 99.99 % quantile ≈ 157
    expect(chi2).toBeLessThan(157);
    expect(chi2).toBeGreaterThan(50); // too-perfect uniformity is suspicious too (0.01 % quantile ≈ 52)
  });

  test('normal: moments and a chi-square over 40 equiprobable bins', () => {
    const x = randn(N, new Rng(77));
    let m1 = 0;
    for (const v of x) m1 += v;
    m1 /= N;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    for (const v of x) {
      const d = v - m1;
      m2 += d * d;
      m3 += d * d * d;
      m4 += d * d * d * d;
    }
    m2 /= N;
    m3 /= N;
    m4 /= N;
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(m3 / m2 ** 1.5)).toBeLessThan(5 * Math.sqrt(6 / N));
    expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(5 * Math.sqrt(24 / N));
    // Equiprobable bins from the normal CDF Φ(x) = erfc(−x/√2)/2 (erfc by its continued fraction / series).
    const cdf = (z: number) => 0.5 * erfc(-z / Math.SQRT2);
    const bins = new Array<number>(40).fill(0);
    for (const v of x) bins[Math.min(39, Math.floor(cdf(v) * 40))]++;
    const expected = N / 40;
    const chi2 = bins.reduce((acc, o) => acc + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(82); // 39 dof, 99.99 % quantile ≈ 81.8
  });
});

/** erfc to ~1e-12: series for |x| < 2.5, Lentz continued fraction beyond. */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

describe('streams', () => {
  test('fill(n) then fill(m) equals fill(n + m); clone continues identically', () => {
    const a = new Rng(9);
    const first = a.fill(new Float32Array(5));
    const second = a.fill(new Float32Array(6));
    const both = new Rng(9).fill(new Float32Array(11));
    expect([...first, ...second]).toEqual(Array.from(both));
    const c = a.clone();
    expect(c.nextNormal()).toBe(a.nextNormal());
    expect(c.nextUint32()).toBe(a.nextUint32());
  });

  test('fork(k) depends only on the seed and k, not on the parent position or on other forks', () => {
    const parent = new Rng(1234);
    const early = parent.fork(2).fill(new Float32Array(8));
    parent.fill(new Float32Array(1000));
    parent.fork(0);
    const late = parent.fork(2).fill(new Float32Array(8));
    expect(late).toEqual(early);
    // batch composition: waveform 2's noise is the same whether the batch is [0, 1, 2] or [2]
    const batch = [0, 1, 2].map((k) => new Rng(1234).fork(k).fill(new Float32Array(16)));
    expect(batch[2]).toEqual(new Rng(1234).fork(2).fill(new Float32Array(16)));
    expect(batch[0]).not.toEqual(batch[1]);
  });

  test('forked streams are uncorrelated with each other and with the parent', () => {
    const n = 50_000;
    const base = randn(n, new Rng(5));
    for (const k of [0, 1, 2 ** 31]) {
      const other = randn(n, new Rng(5).fork(k));
      let dot = 0;
      for (let i = 0; i < n; i++) dot += base[i] * other[i];
      expect(Math.abs(dot / n)).toBeLessThan(5 / Math.sqrt(n));
    }
  });

  test('bad seeds and stream ids are refused', () => {
    expect(() => new Rng(0.5)).toThrow(/safe integer/);
    expect(() => new Rng(2 ** 60)).toThrow(/safe integer/);
    expect(() => new Rng(1).fork(-1)).toThrow(/streamId/);
    expect(new Rng(2n ** 64n + 42n).nextUint32()).toBe(new Rng(42).nextUint32());
  });
});
