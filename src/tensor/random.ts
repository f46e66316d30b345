/**
 * A seeded random number generator (xoshiro128**), used for initializers, shuffling and dropout.
 * Same seed, same sequence, on every platform: this is what makes `--seed` reproducible.
 */

/** A generator's saved state: xoshiro128**'s four words and Box–Muller's cached second value. */
export interface RandomState {
  words: number[];
  spare: number | null;
}

/**
 * A deterministic generator of uniform and normal floats.
 *
 * @example
 * const rng = new Random(42);
 * rng.uniform();   // in [0, 1)
 * rng.normal();    // standard normal
 */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** Restarts the sequence from `seed` (any finite number). */
  seed(seed: number): void {
    // splitmix32 expands the seed into four non-zero words.
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
    this.spare = null;
  }

  /** A uniformly random 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Runs `advance` on the generator's four state words (xoshiro128**, as int32) and continues
   * from what it leaves there: how kernels draw in bulk (e.g. the dropoutMask kernel) with the
   * same sequence as this object's own calls.
   *
   * @example
   * rng.withState((state) => dropoutMaskFromState(mask, state, 0.25, 4 / 3));
   */
  withState(advance: (state: Int32Array) => void): void {
    const state = Int32Array.of(this.s0, this.s1, this.s2, this.s3);
    advance(state);
    this.s0 = state[0]!;
    this.s1 = state[1]!;
    this.s2 = state[2]!;
    this.s3 = state[3]!;
  }

  /**
   * The generator's whole state (four words and the cached normal), to resume a sequence exactly
   * later (BackupAndRestore saves it so a restarted run draws the same shuffles and dropout masks).
   *
   * @example
   * const saved = rng.getState(); rng.uniform(); rng.setState(saved); // the same uniform() again
   */
  getState(): RandomState {
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  /** Continues from a state getState returned. */
  setState(state: RandomState): void {
    const { words, spare } = state;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff))
      throw new Error(`Random.setState: expected four 32-bit unsigned words, received ${JSON.stringify(words)}`);
    if (words.every((w) => w === 0)) throw new Error('Random.setState: the state words cannot all be zero');
    if (spare !== null && typeof spare !== 'number')
      throw new Error(`Random.setState: expected spare to be a number or null, received ${typeof spare}`);
    [this.s0, this.s1, this.s2, this.s3] = words.map((w) => w | 0) as [number, number, number, number];
    this.spare = spare;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/**
 * The dropout mask drawn from xoshiro128** state words (advanced in place): out[i] = `keep` where
 * draw i / 2^32 >= `rate`, else 0. The generator's state lives in locals, about ten times faster
 * than per-element uniform() calls. It is the ts backend's dropoutMask kernel.
 *
 * @example
 * const state = Int32Array.of(1, 2, 3, 4);
 * dropoutMaskFromState(new Float32Array(4), state, 0.5, 2);
 */
export function dropoutMaskFromState(out: Float32Array | Float64Array, state: Int32Array, rate: number, keep: number): void {
  // uniform() = u / 2^32 is exact, so comparing u with rate · 2^32 decides exactly alike.
  const threshold = rate * 4294967296;
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  for (let i = 0; i < out.length; i++) {
    const m = Math.imul(s1, 5);
    const u = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = u >= threshold ? keep : 0;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The library-wide generator; `setSeed` restarts it. */
export const globalRandom = new Random(Date.now());

/**
 * Seeds the library-wide generator: initializers, shuffling and dropout become reproducible.
 * @example setSeed(1);
 */
export function setSeed(seed: number): void {
  globalRandom.seed(seed);
}
