/**
 * The buffer pool's recycling (src/tensor/buffer-pool.ts): a repeating scope (a training step)
 * maps no fresh memory from its second run on, where an ordinary scope, which drops smaller free
 * buffers for a larger request, maps 58 and then 40 of the first run's 100 MiB again;
 * `trimBufferPool` frees the largest free buffers first, down to a byte count.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  allocFloat32,
  bufferPoolStats,
  clearBufferPool,
  releaseBuffer,
  trimBufferPool,
  withBufferScope,
} from '../../src/tensor/buffer-pool.js';

const MiB = 2 ** 20;

/**
 * One "step" shaped like a training step: a forward pass keeps activations of shrinking sizes
 * (MiB, as MobileNetV2's stages shrink), the backward pass makes each one's gradient in reverse
 * order and hands back the activation and the previous gradient as it goes.
 */
function step(): void {
  const sizes = [18, 12, 6, 6, 4.5, 3, 3, 2];
  const activations = sizes.map((mib) => allocFloat32((mib * MiB) / 4, false));
  let gradient: Float32Array | null = null;
  for (let i = sizes.length - 1; i >= 0; i--) {
    const next = allocFloat32((sizes[i]! * MiB) / 4, false);
    if (gradient) releaseBuffer(gradient);
    releaseBuffer(activations[i]!);
    gradient = next;
  }
}

/** Fresh bytes mapped by each of `runs` runs of `step` in a scope. */
function freshPerRun(runs: number, repeating: boolean): number[] {
  clearBufferPool();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = bufferPoolStats().freshBytes;
    withBufferScope(step, { repeating });
    out.push(bufferPoolStats().freshBytes - before);
  }
  return out;
}

describe('buffer pool', () => {
  afterEach(() => clearBufferPool());

  it('a repeating scope maps fresh memory only on its first run', () => {
    assert.deepEqual(freshPerRun(4, true), [100 * MiB, 0, 0, 0]);
  });

  it('an ordinary scope maps memory again on later runs (a larger request drops the smaller free buffers)', () => {
    const fresh = freshPerRun(3, false);
    assert.equal(fresh[0], 100 * MiB);
    assert.ok(fresh[1]! > 0 && fresh[2]! > 0, `fresh MiB per run: ${fresh.map((b) => b / MiB).join(', ')}`);
  });

  it('trimBufferPool frees the largest free buffers first, down to the byte count', () => {
    withBufferScope(() => {
      for (const mib of [1, 2, 4]) allocFloat32((mib * MiB) / 4);
    });
    assert.equal(bufferPoolStats().pooledBytes, 7 * MiB);
    trimBufferPool(4 * MiB);
    assert.equal(bufferPoolStats().pooledBytes, 3 * MiB, 'the 4 MiB buffer went first');
    const before = bufferPoolStats().freshBytes;
    withBufferScope(() => allocFloat32((2 * MiB) / 4));
    assert.equal(bufferPoolStats().freshBytes, before, 'the 2 MiB buffer was kept and serves again');
    trimBufferPool(0);
    assert.equal(bufferPoolStats().pooledBytes, 0);
  });
});
