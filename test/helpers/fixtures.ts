/**
 * The PyTorch-made known values (test/fixtures/values.json, written by
 * test/fixtures/make_value_fixtures.py), typed, and the small-integer inputs both sides compute.
 */
import { readFileSync } from 'node:fs';

export interface ConvFixture {
  name: string;
  batch: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  stride: [number, number];
  dilation: [number, number];
  padTop: number;
  padLeft: number;
  /** Depthwise cases: the channel multiplier (cout = cin·multiplier); null for conv2d. */
  multiplier: number | null;
  outHeight: number;
  outWidth: number;
  y?: number[];
  dx?: number[];
  dw: number[];
  ySum?: number;
  yWeightedSum?: number;
  yRows?: Record<string, number[]>;
  dxSum?: number;
  dxWeightedSum?: number;
}

export interface ConvPoolFixture {
  name: string;
  shape: number[];
  kernel: [number, number, number];
  padding: 'same' | 'valid';
  pool: number;
  poolStride: number;
  x: number[];
  w: number[];
  b: number[];
  y: number[];
  yShape: number[];
  dy: number[];
  dx: number[];
  dw: number[];
  db: number[];
}

export interface ValueFixtures {
  points: number[];
  /** Values by activation; "Infinity" where JSON cannot hold one (exponential at 1000). */
  activations: Record<string, (number | string)[]>;
  layers: Record<string, number[]>;
  softmax: { x: number[][]; y: number[][]; logSoftmax: number[][] };
  conv: ConvFixture[];
  depthwise: ConvFixture[];
  convPool: ConvPoolFixture[];
}

/** The fixture file, read once (the tests run from build/test/...). */
export const valueFixtures = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/values.json', import.meta.url), 'utf8'),
) as ValueFixtures;

/** ((i·a) mod 65521) mod m − off for i < n: the script's `ints`, small integers exact in float32. */
export function fixtureInts(n: number, a: number, m: number, off: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i * a) % 65521) % m) - off);
}

/** Σ v[i]·((i mod 101) − 50): the script's weighted checksum of a big output. */
export function weightedSum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * ((i % 101) - 50);
  return s;
}
