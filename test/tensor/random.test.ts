/**
 * The seeded generator: dropoutMaskFromState run through withState (dropout's bulk path, the ts
 * backend's dropoutMask kernel) draws exactly what per-element uniform() calls draw, leaves the
 * generator where they would, and keeps about 1 − rate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropoutMaskFromState, Random } from '../../src/tensor/random.js';

describe('Random', () => {
  it('a bulk dropout mask draws the same mask as uniform() per element, and continues the same sequence', () => {
    for (const [seed, rate, n] of [
      [1, 0.25, 1000],
      [7, 0.5, 33],
      [123, 0.9, 4097],
      [5, 0, 10],
    ] as const) {
      const bulk = new Random(seed);
      const each = new Random(seed);
      const keep = 1 / (1 - rate);
      for (const out of [new Float32Array(n), new Float64Array(n)]) {
        bulk.withState((state) => dropoutMaskFromState(out, state, rate, keep));
        const expected = Array.from({ length: n }, () => (each.uniform() >= rate ? keep : 0));
        assert.deepEqual(Array.from(out), Array.from(out instanceof Float32Array ? Float32Array.from(expected) : expected), `seed ${seed}`);
      }
      for (let i = 0; i < 5; i++) assert.equal(bulk.nextUint32(), each.nextUint32(), `state after the mask, seed ${seed}`);
    }
  });

  it('a dropout mask keeps about 1 − rate of the entries and zeroes the rest', () => {
    const out = new Float32Array(100_000);
    new Random(3).withState((state) => dropoutMaskFromState(out, state, 0.25, 4 / 3));
    const kept = out.filter((v) => v !== 0);
    assert.ok(Math.abs(kept.length / out.length - 0.75) < 0.01, `kept fraction ${kept.length / out.length}`);
    assert.ok(kept.every((v) => v === Math.fround(4 / 3)));
  });
});
