/**
 * Inference that holds only live activations (src/models/liveness.ts) and the buffer pool under
 * it: predictions and evaluations equal the pass that keeps everything (gradient recording on),
 * for chains, residual graphs, nested models, aliasing layers (Flatten, Dropout) and a softmax
 * output whose logits the loss reads; and the pool's high-water mark stays near the largest few
 * activations instead of their sum.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { input, layers } from '../../src/layers/index.js';
import { model } from '../../src/models/functional.js';
import { inferenceBatchSize } from '../../src/models/liveness.js';
import { sequential } from '../../src/models/sequential.js';
import { zoo } from '../../src/models/zoo.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  allocFloat32,
  bufferPoolStats,
  clearBufferPool,
  releaseBuffer,
  resetPoolHighWater,
  setBufferFree,
  withBufferScope,
  withBufferScopeKeeping,
} from '../../src/tensor/buffer-pool.js';
import type { Model } from '../../src/models/model.js';

setBackend('ts');

function randomImages(shape: number[], seed = 1): Tensor {
  const rng = new Random(seed);
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() * 2 - 1;
  return new Tensor(data, shape);
}

/** The forward pass with everything kept: recording gradients, so nothing is released. */
function keepingEverything(m: Model, x: Tensor): number[] {
  return [...m.apply(x, { training: false }).data];
}

/** The model's output at inference, through predict (liveness on), one batch. */
function predicted(m: Model, x: Tensor): number[] {
  return [...m.predict(x, { batchSize: x.shape[0]! }).data];
}

/** A chain of `depth` same-sized 'same' convolutions (each output [n, 8, 8, 16]). */
function deepChain(depth: number) {
  const stack = [layers.conv2d({ filters: 16, kernelSize: 1, inputShape: [8, 8, 16] })];
  for (let i = 1; i < depth; i++) stack.push(layers.conv2d({ filters: 16, kernelSize: 1, activation: 'relu' }));
  return sequential([...stack, layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })]);
}

describe('liveness: same numbers as keeping every activation', () => {
  it('Sequential with aliasing layers (Flatten, Dropout, Reshape)', () => {
    setSeed(3);
    const m = sequential([
      layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [7, 7, 2] }),
      layers.dropout({ rate: 0.5 }),
      layers.flatten(),
      layers.reshape({ targetShape: [5, 20] }),
      layers.flatten(),
      layers.dense({ units: 5, activation: 'softmax' }),
    ]);
    const x = randomImages([3, 7, 7, 2]);
    assert.deepEqual(predicted(m, x), keepingEverything(m, x));
  });

  it('residual graphs with a branch read twice and a nested model', () => {
    setSeed(4);
    const inner = sequential([
      layers.conv2d({ filters: 3, kernelSize: 1, inputShape: [6, 6, 3] }),
      layers.activation({ activation: 'relu6' }),
    ]);
    const x = input({ shape: [6, 6, 3] });
    const a = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
    const b = layers.add().apply([a, layers.batchNormalization().apply(a)]);
    const c = layers.multiply().apply([b, inner.apply(b) as typeof b]);
    const d = layers.add().apply([x, c]);
    const m = model({ inputs: x, outputs: layers.dense({ units: 2 }).apply(layers.globalAveragePooling2d().apply(d)) });
    const data = randomImages([2, 6, 6, 3], 5);
    assert.deepEqual(predicted(m, data), keepingEverything(m, data));
  });

  it('zoo models: mobilenetV2 and resnet20', () => {
    for (const make of [zoo.mobilenetV2, zoo.resnet20]) {
      setSeed(5);
      const m = make({ inputShape: [8, 8, 3], classes: 4 });
      const x = randomImages([2, 8, 8, 3], 6);
      assert.deepEqual(predicted(m, x), keepingEverything(m, x), m.name);
    }
  });

  it('evaluate reads the softmax output and its logits after the pass', async () => {
    setSeed(6);
    const m = deepChain(4);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = randomImages([6, 8, 8, 16], 7);
    const y = new Tensor(
      new Float32Array(18).map((_, i) => (i % 3 === i % 2 ? 1 : 0)),
      [6, 3],
    );
    const [loss] = await m.evaluate(x, y, { batchSize: 6 });
    const p = m.apply(x, { training: false });
    let expected = 0;
    for (let i = 0; i < 6; i++) for (let k = 0; k < 3; k++) expected -= y.data[i * 3 + k]! * Math.log(p.data[i * 3 + k]!);
    assert.ok(Math.abs(loss! - expected / 6) < 1e-5, `loss ${loss} against ${expected / 6}`);
  });
});

describe('liveness: memory', () => {
  it('a chain of 12 activations holds a few at once, not all of them', () => {
    setSeed(7);
    const m = deepChain(12);
    const x = randomImages([32, 8, 8, 16], 8);
    const activation = 32 * 8 * 8 * 16 * 4;
    clearBufferPool();
    resetPoolHighWater();
    m.predict(x, { batchSize: 32 });
    const peak = bufferPoolStats().highWaterBytes;
    // Input copy, the layer's input and output, the bias-add's temporary: 4 at most; 12 without liveness.
    assert.ok(peak <= 4.5 * activation, `pool high water ${peak} bytes, activation ${activation}`);
    assert.ok(peak >= 2 * activation, `pool high water ${peak} bytes: the pass cannot have used less than two activations`);
  });

  it('training keeps every activation (the backward pass reads them)', () => {
    setSeed(8);
    const m = deepChain(12);
    const x = randomImages([32, 8, 8, 16], 9);
    clearBufferPool();
    resetPoolHighWater();
    withBufferScope(() => m.apply(x, { training: true }).data[0]);
    assert.ok(bufferPoolStats().highWaterBytes >= 12 * 32 * 8 * 8 * 16 * 4);
  });
});

describe('buffer pool', () => {
  it('releaseBuffer hands back only buffers of the open scope, and the next request reuses them', () => {
    clearBufferPool();
    const foreign = new Float32Array(1000);
    withBufferScope(() => {
      const a = allocFloat32(1000);
      assert.equal(releaseBuffer(foreign), false);
      assert.equal(releaseBuffer(a), true);
      assert.equal(releaseBuffer(a), false, 'a second release is a no-op');
      const b = allocFloat32(600);
      assert.equal(b.buffer, a.buffer, 'a smaller request is a view of the freed buffer');
      assert.equal(b.length, 600);
      assert.ok(
        b.every((v) => v === 0),
        'zeroed on reuse',
      );
      const c = allocFloat32(100);
      assert.notEqual(c.buffer, a.buffer, 'a buffer more than 2× too large is not used');
      const d = allocFloat32(400);
      assert.notEqual(d.buffer, a.buffer, 'nor one 2.5× too large: its pages are resident, a small tenant would pin them');
    });
    assert.equal(releaseBuffer(new Float32Array(4)), false, 'outside any scope nothing is pooled');
  });

  it('withBufferScopeKeeping moves the kept buffers out and recycles the rest', () => {
    clearBufferPool();
    withBufferScope(() => {
      let tmp: Float32Array | null = null;
      const kept = withBufferScopeKeeping(
        () => {
          tmp = allocFloat32(256);
          tmp.fill(7);
          const out = allocFloat32(256);
          out.fill(3);
          return out;
        },
        (out) => [out],
      );
      const next = allocFloat32(256);
      assert.equal(next.buffer, tmp!.buffer, 'the temporary went back at once');
      assert.notEqual(next.buffer, kept.buffer);
      assert.ok(
        kept.every((v) => v === 3),
        'the kept output is intact',
      );
      assert.equal(releaseBuffer(kept), true, 'the kept buffer now belongs to the enclosing scope');
    });
  });
});

describe('buffer pool: dropped buffers are freed at once when a free function is set', () => {
  it('the smaller free buffers a large fresh request drops go to setBufferFree, the others stay pooled', () => {
    clearBufferPool();
    const freed: ArrayBufferLike[] = [];
    setBufferFree((b) => freed.push(b));
    try {
      withBufferScope(() => {
        const small = allocFloat32(1000);
        const large = allocFloat32(2 ** 22); // 16 MB
        releaseBuffer(small);
        releaseBuffer(large);
        assert.deepEqual(freed, [], 'a released buffer is pooled, not freed');
        allocFloat32(2 ** 23); // 32 MB: nothing free fits, so the smaller free buffers are dropped
        assert.deepEqual(freed, [small.buffer, large.buffer]);
        assert.equal(bufferPoolStats().pooledBytes, 0);
      });
    } finally {
      setBufferFree(null);
    }
  });
});

describe('inferenceBatchSize', () => {
  it('fits the widest layer three times in the budget, capped at max', () => {
    assert.equal(inferenceBatchSize(zoo.seedCnn()), 1000);
    const mobile = zoo.mobilenetV2({ inputShape: [32, 32, 3] });
    // Widest layer: 32·32·144 floats; 256 MiB / (3 · 4 · 147456) = 151.
    assert.equal(inferenceBatchSize(mobile), 151);
    assert.equal(inferenceBatchSize(mobile, { budgetBytes: 1 }), 1);
    assert.equal(inferenceBatchSize(mobile, { max: 64 }), 64);
  });
});
