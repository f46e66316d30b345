/**
 * Batch normalisation folded into the convolution before it (src/layers/fold-batchnorm.ts,
 * through the fusion table): at inference a Conv2D or DepthwiseConv2D followed by a
 * BatchNormalization (and a relu or relu6) runs as one convolution, with predictions equal to
 * the unfused model within 1e-4; training is never folded; the folded weights are cached until
 * a source variable is written (assign, an optimizer step).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { foldBatchNorm } from '../../src/layers/fold-batchnorm.js';
import { applyFused, applyFusedRun, applyFusedTriple, setLayerFusion } from '../../src/layers/fusion.js';
import { layers } from '../../src/layers/index.js';
import type { Layer } from '../../src/layers/layer.js';
import type { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { mobilenetV2 } from '../../src/models/zoo.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

afterEach(() => setLayerFusion(true));
const rng = new Random(3);

function uniform(shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return new Tensor(
    Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform()),
    shape,
  );
}

/** Moves a batch norm's statistics and affine weights away from identity, so a wrong fold shows. */
function randomizeNorm(norm: BatchNormalization): void {
  const C = norm.movingMean!.size;
  norm.gamma?.assign(uniform([C], 0.5, 1.5));
  norm.beta?.assign(uniform([C], -0.5, 0.5));
  norm.movingMean!.assign(uniform([C], -0.5, 0.5));
  norm.movingVariance!.assign(uniform([C], 0.5, 2));
}

function maxDiff(a: Tensor, b: Tensor): number {
  const [u, v] = [a.values(), b.values()];
  assert.equal(u.length, v.length);
  let m = 0;
  for (let i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i]! - v[i]!));
  return m;
}

/** Builds `chain` on `input` as a model would (each layer on the previous output). */
function build(chain: Layer[], input: Tensor): void {
  chain.reduce<Tensor>((t, layer) => layer.apply(t), input);
}

describe('batch norm folded into the convolution before it', () => {
  setSeed(4);

  it('MobileNetV2 predictions equal the unfused model within 1e-4', () => {
    const model = mobilenetV2({ inputShape: [16, 16, 3], classes: 7 });
    for (const layer of model.layers) if (layer.className === 'BatchNormalization') randomizeNorm(layer as BatchNormalization);
    const x = uniform([5, 16, 16, 3], 0, 1);
    setLayerFusion(false);
    const apart = model.predict(x);
    setLayerFusion(true);
    const fused = model.predict(x);
    assert.ok(maxDiff(fused, apart) < 1e-4, `max difference ${maxDiff(fused, apart)}`);
    assert.ok(maxDiff(model.predict(x), apart) < 1e-4, 'second call (cached folds)');
  });

  it('folds Conv2D → BN (→ relu or relu6) and DepthwiseConv2D → BN → relu6 at inference, strides 1 and 2', () => {
    for (const strides of [1, 2]) {
      const input = uniform([2, 9, 7, 4], -12, 12); // wide enough that some outputs pass relu6's cap
      const dw = layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', depthMultiplier: 2 });
      const conv = layers.conv2d({ filters: 5, kernelSize: 3, strides, padding: 'same' });
      const conv3x3 = layers.conv2d({ filters: 5, kernelSize: 3, strides, padding: 'same' });
      const pointwise = layers.conv2d({ filters: 6, kernelSize: 1, strides }); // MobileNetV2's expansion (the GEMM path)
      for (const [first, act] of [
        [dw, layers.activation({ activation: 'relu6' })],
        [conv, layers.reLU()],
        [conv3x3, layers.activation({ activation: 'relu6' })],
        [pointwise, layers.reLU({ maxValue: 6 })],
      ] as const) {
        const norm = layers.batchNormalization();
        build([first, norm, act], input);
        randomizeNorm(norm);
        const apart = act.apply(norm.apply(first.apply(input)));
        const triple = applyFusedTriple(first, norm, act, input, { training: false });
        assert.ok(triple && maxDiff(triple, apart) < 1e-4, `${first.className} triple, strides ${strides}`);
        if (first !== conv)
          assert.ok(
            apart.values().some((v) => v === 6),
            `${first.className}: some outputs capped at 6`,
          );
        const pair = applyFused(first, norm, input, { training: false });
        assert.ok(pair && maxDiff(act.apply(pair), apart) < 1e-4, `${first.className} pair, strides ${strides}`);
      }
    }
  });

  it('DepthwiseConv2D → BN → relu6 → 1×1 Conv2D (→ BN) runs as one op at inference, strides 1 and 2', () => {
    for (const strides of [1, 2]) {
      const input = uniform([2, 9, 7, 6], -3, 3);
      const dw = layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same' });
      const norm = layers.batchNormalization();
      const relu6 = layers.reLU({ maxValue: 6 });
      const project = layers.conv2d({ filters: 5, kernelSize: 1 });
      const projectNorm = layers.batchNormalization();
      const chain = [dw, norm, relu6, project, projectNorm];
      build(chain, input);
      randomizeNorm(norm);
      randomizeNorm(projectNorm);
      const apart = chain.reduce<Tensor>((t, layer) => layer.apply(t), input);
      const run = applyFusedRun(chain, input, { training: false });
      assert.equal(run?.layers, 5, `strides ${strides}: the whole run`);
      assert.ok(maxDiff(run.y, apart) < 1e-4, `strides ${strides}: ${maxDiff(run.y, apart)}`);
      // Without the last batch norm: four layers, the 1×1 convolution's own bias.
      const four = applyFusedRun(chain.slice(0, 4), input, { training: false });
      assert.equal(four?.layers, 4);
      assert.ok(
        maxDiff(
          four.y,
          chain.slice(0, 4).reduce<Tensor>((t, layer) => layer.apply(t), input),
        ) < 1e-4,
      );
      // In training: only the batch norm → relu6 pair inside it may fuse, never the run.
      assert.notEqual(applyFusedRun(chain, input, { training: true })?.layers, 5);
    }
    // A 3×3 or strided second convolution is not a pointwise one: the run stops at the triple.
    for (const conv of [
      layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same' }),
      layers.conv2d({ filters: 5, kernelSize: 1, strides: 2 }),
    ]) {
      const input = uniform([1, 6, 6, 4], -1, 1);
      const chain = [
        layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }),
        layers.batchNormalization(),
        layers.reLU({ maxValue: 6 }),
        conv,
      ];
      build(chain, input);
      assert.equal(applyFusedRun(chain, input, { training: false })?.layers, 3);
    }
  });

  it('an inverted-residual block (1×1 → BN → relu6 → depthwise → BN → relu6 → 1×1 → BN) runs as one op at inference', () => {
    for (const strides of [1, 2]) {
      const input = uniform([2, 9, 7, 4], -2, 2);
      const chain = [
        layers.conv2d({ filters: 12, kernelSize: 1 }),
        layers.batchNormalization(),
        layers.reLU({ maxValue: 6 }),
        layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same' }),
        layers.batchNormalization(),
        layers.activation({ activation: 'relu6' }),
        layers.conv2d({ filters: 5, kernelSize: 1 }),
        layers.batchNormalization(),
      ];
      build(chain, input);
      for (const layer of chain) if (layer.className === 'BatchNormalization') randomizeNorm(layer as BatchNormalization);
      const apart = chain.reduce<Tensor>((t, layer) => layer.apply(t), input);
      const run = applyFusedRun(chain, input, { training: false });
      assert.equal(run?.layers, 8, `strides ${strides}: the whole block`);
      assert.ok(maxDiff(run.y, apart) < 1e-4, `strides ${strides}: ${maxDiff(run.y, apart)}`);
      assert.equal(applyFusedRun(chain.slice(0, 7), input, { training: false })?.layers, 7, 'without the last batch norm');
      // An expansion without its relu6 is not a block: the run starts at the conv → BN pair.
      const noAct = [chain[0]!, chain[1]!, chain[3]!, chain[4]!, chain[5]!, chain[6]!];
      assert.equal(applyFusedRun(noAct, input, { training: false })?.layers, 2);
    }
  });

  it('a relu or relu6 layer right after a Conv2D or DepthwiseConv2D runs in its epilogue at inference, not in training', () => {
    const input = uniform([2, 7, 6, 3], -12, 12);
    for (const [conv, act, expected] of [
      [layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), layers.activation({ activation: 'relu6' }), 6],
      [layers.conv2d({ filters: 4, kernelSize: 1 }), layers.reLU(), null],
      [layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same' }), layers.reLU({ maxValue: 6 }), 6],
    ] as const) {
      build([conv, act], input);
      const apart = act.apply(conv.apply(input));
      const fused = applyFused(conv, act, input, { training: false });
      assert.ok(fused && maxDiff(fused, apart) < 1e-5, `${conv.className} → ${act.className}`);
      if (expected !== null)
        assert.ok(
          apart.values().some((v) => v === expected),
          'some outputs capped',
        );
      assert.equal(applyFused(conv, act, input, { training: true }), null, 'training: apart');
    }
    // A convolution with an activation of its own is left alone (tanh, then relu6).
    const tanh = layers.conv2d({ filters: 4, kernelSize: 1, activation: 'tanh' });
    const relu6 = layers.activation({ activation: 'relu6' });
    build([tanh, relu6], input);
    assert.equal(applyFused(tanh, relu6, input, { training: false }), null);
  });

  it('never folds in training mode', () => {
    const input = uniform([2, 6, 6, 3], -1, 1);
    const dw = layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' });
    const norm = layers.batchNormalization();
    const relu6 = layers.activation({ activation: 'relu6' });
    build([dw, norm, relu6], input);
    randomizeNorm(norm);
    assert.equal(applyFused(dw, norm, input, { training: true }), null);
    assert.equal(applyFusedTriple(dw, norm, relu6, input, { training: true }), null);
    // A whole model in training mode: the batch statistics, not the folded moving ones.
    const model = mobilenetV2({ inputShape: [8, 8, 3], classes: 3 });
    for (const layer of model.layers) if (layer.className === 'BatchNormalization') randomizeNorm(layer as BatchNormalization);
    const x = uniform([4, 8, 8, 3], 0, 1);
    setLayerFusion(false);
    const apart = model.apply(x, { training: true }) as Tensor;
    setLayerFusion(true);
    const fused = model.apply(x, { training: true }) as Tensor;
    assert.ok(maxDiff(fused, apart) < 1e-4);
    assert.ok(maxDiff(fused, model.predict(x)) > 1e-3, 'training and inference outputs differ, so a fold would show');
  });

  it('caches the folded weights until a source variable is written', () => {
    const input = uniform([1, 5, 5, 2], -1, 1);
    const conv = layers.conv2d({ filters: 3, kernelSize: 1 });
    const norm = layers.batchNormalization();
    build([conv, norm], input);
    randomizeNorm(norm);
    const first = foldBatchNorm(conv.kernel!, conv.bias, norm);
    assert.equal(foldBatchNorm(conv.kernel!, conv.bias, norm), first, 'same weights: the cached fold');
    norm.movingMean!.assign(uniform([3], 1, 2));
    const second = foldBatchNorm(conv.kernel!, conv.bias, norm);
    assert.notEqual(second, first, 'a moving mean written: folded again');
    const apart = norm.apply(conv.apply(input));
    assert.ok(maxDiff(applyFused(conv, norm, input)!, apart) < 1e-5);
    conv.bias!.assign(uniform([3], -1, 1));
    assert.notEqual(foldBatchNorm(conv.kernel!, conv.bias, norm), second, 'the bias written: folded again');
    assert.ok(maxDiff(applyFused(conv, norm, input)!, norm.apply(conv.apply(input))) < 1e-5);
  });
});
