/**
 * The native addon's boundary: every bad length, size, shape or geometry throws a JavaScript
 * Error naming the kernel and the argument (never a crash or an out-of-bounds access), and the
 * CONVKIT_NATIVE_ISA / CONVKIT_NUM_THREADS settings take effect at load time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import { Random } from '../../src/tensor/random.js';
import { nativeIt as it, nativeKernels } from '../helpers/native-required.js';
import { convGeometry, poolGeometry, randomF32 } from './parity-util.js';

const k = nativeKernels ?? ts;
const rng = new Random(5);

/** The raw addon, to reach checks the typed kernel record cannot (argument types and counts). */
function rawAddon(): Record<string, (...args: unknown[]) => unknown> {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const path = process.env['CONVKIT_NATIVE_ADDON'] || join(dir, 'native', 'build', 'Release', 'convkit.node');
  return createRequire(import.meta.url)(path) as Record<string, (...args: unknown[]) => unknown>;
}

describe('native backend rejects bad arguments with clear errors', () => {
  const a = randomF32(11, rng);
  const b = randomF32(20, rng);

  it('matmul: lengths, sizes and overflow', () => {
    assert.throws(
      () => k.matmul(a, b, 3, 4, 5, false, false, null, 'linear'),
      /^Error: matmul: a has 11 elements, expected m\*k = 3\*4 = 12$/,
    );
    assert.throws(
      () => k.matmul(randomF32(12, rng), b, 3, 4, 5, false, false, randomF32(3, rng), 'relu'),
      /^Error: matmul: bias has 3 elements, expected n = 5$/,
    );
    assert.throws(
      () => k.matmul(a, b, -1, 4, 5, false, false, null, 'linear'),
      /^Error: matmul: m must be a non-negative integer, received -1$/,
    );
    assert.throws(
      () => k.matmul(a, b, 3, 2.5, 5, false, false, null, 'linear'),
      /^Error: matmul: k must be a non-negative integer, received 2.5$/,
    );
    assert.throws(
      () => k.matmul(a, b, 2 ** 40, 2 ** 10, 1, false, false, null, 'linear'),
      /^Error: matmul: a describes more than 2\^46 elements$/,
    );
  });

  it('conv2d and its gradients: lengths and geometry fields', () => {
    const g = convGeometry({ batch: 2, h: 5, w: 5, cin: 32, cout: 64, kh: 3, kw: 3 });
    const x = randomF32(2 * 5 * 5 * 32, rng);
    assert.throws(
      () => k.conv2d(x, randomF32(287, rng), null, g, 'linear'),
      /^Error: conv2d: filter has 287 elements, expected 3\*3\*32\*64 = 18432$/,
    );
    const w = randomF32(18432, rng);
    assert.throws(() => k.conv2d(x.subarray(1), w, null, g, 'linear'), /^Error: conv2d: x has 1599 elements, expected 2\*5\*5\*32 = 1600$/);
    assert.throws(
      () => k.conv2d(x, w, null, { ...g, strideHeight: 0 }, 'linear'),
      /geometry\.strideHeight must be an integer in \[1, 2\^31\), received 0$/,
    );
    assert.throws(
      () => k.conv2d(x, w, null, { ...g, padLeft: -1 }, 'linear'),
      /geometry\.padLeft must be an integer in \[0, 2\^31\), received -1$/,
    );
    assert.throws(() => k.conv2d(x, w, randomF32(63, rng), g, 'relu'), /^Error: conv2d: bias has 63 elements, expected outChannels = 64$/);
    assert.throws(
      () => k.conv2d(x, w, null, g, 'gelu' as 'relu'),
      /^Error: conv2d: activation must be 'linear', 'relu' or 'relu6', received 'gelu'$/,
    );
    assert.throws(
      () => k.conv2dBackpropFilter(x, randomF32(5, rng), g),
      /^Error: conv2dBackpropFilter: dy has 5 elements, expected 2\*3\*3\*64 = 1152$/,
    );
    assert.throws(
      () => k.conv2dBackpropInput(randomF32(1152, rng), w.subarray(2), g),
      /^Error: conv2dBackpropInput: filter has 18430 elements/,
    );
  });

  it('conv2dMaxPool: the pooling must fit the convolution; lengths; argmax outside its image', () => {
    const g = convGeometry({ batch: 2, h: 6, w: 6, cin: 2, cout: 3, kh: 3, kw: 3 });
    const p = poolGeometry({ batch: 2, h: 4, w: 4, c: 3, ph: 2, pw: 2 });
    const x = randomF32(2 * 6 * 6 * 2, rng);
    const w = randomF32(3 * 3 * 2 * 3, rng);
    assert.throws(
      () => k.conv2dMaxPool(x, w, null, g, { ...p, inHeight: 5 }, 'relu'),
      /^Error: conv2dMaxPool: pool \(batch 2, inHeight 5, inWidth 4, channels 3\) must pool the convolution's output \(batch 2, outHeight 4, outWidth 4, outChannels 3\)$/,
    );
    assert.throws(
      () => k.conv2dMaxPool(x.subarray(1), w, null, g, p, 'relu'),
      /^Error: conv2dMaxPool: x has 143 elements, expected 2\*6\*6\*2 = 144$/,
    );
    assert.throws(
      () => k.conv2dMaxPool(x, w, randomF32(2, rng), g, p, 'relu'),
      /^Error: conv2dMaxPool: bias has 2 elements, expected outChannels = 3$/,
    );
    assert.throws(
      () => k.conv2dMaxPool(x, w, null, g, { ...p, poolHeight: 0 }, 'relu'),
      /pool\.poolHeight must be an integer in \[1, 2\^31\)/,
    );
    const { y, argmax } = k.conv2dMaxPool(x, w, null, g, p, 'relu');
    const dy = randomF32(y.length, rng);
    const all = { input: true, filter: true, bias: true };
    assert.throws(
      () => k.conv2dMaxPoolBackward(dy.subarray(1), x, w, y, argmax, g, p, 'relu', all),
      /^Error: conv2dMaxPoolBackward: dy has 23 elements, expected 2\*2\*2\*3 = 24$/,
    );
    argmax[0] = 60; // inside the convolution output, but in image 1
    assert.throws(
      () => k.conv2dMaxPoolBackward(dy, x, w, y, argmax, g, p, 'relu', all),
      /^Error: conv2dMaxPoolBackward: argmax\[0\] = 60 is not -1 and not inside image 0 of the convolution output, \[0, 48\)$/,
    );
    argmax[0] = -7;
    assert.throws(() => k.conv2dMaxPoolBackward(dy, x, w, y, argmax, g, p, 'relu', all), /argmax\[0\] = -7 is not -1/);
    argmax[0] = -1; // a window without a winner: skipped
    assert.doesNotThrow(() => k.conv2dMaxPoolBackward(dy, x, w, y, argmax, g, p, 'relu', all));
  });

  it('pooling: lengths and argmax entries outside their image', () => {
    const g = poolGeometry({ batch: 2, h: 4, w: 4, c: 3, ph: 2, pw: 2 });
    const x = randomF32(2 * 4 * 4 * 3, rng);
    assert.throws(() => k.maxPool2d(x.subarray(3), g), /^Error: maxPool2d: x has 93 elements, expected 2\*4\*4\*3 = 96$/);
    const { argmax } = k.maxPool2d(x, g);
    const dy = randomF32(argmax.length, rng);
    argmax[0] = 60; // inside x, but in image 1
    assert.throws(
      () => k.maxPool2dBackward(dy, argmax, g),
      /^Error: maxPool2dBackward: argmax\[0\] = 60 is not -1 and not inside image 0 of x, \[0, 48\)$/,
    );
    argmax[0] = 1 << 30;
    assert.throws(() => k.maxPool2dBackward(dy, argmax, g), /argmax\[0\] = 1073741824 is not -1/);
    assert.throws(() => k.avgPool2dBackward(dy.subarray(1), g), /^Error: avgPool2dBackward: dy has 23 elements, expected 2\*2\*2\*3 = 24$/);
  });

  it('elementwise, reduce, argMax, transpose, softmax and adam: shapes and axes', () => {
    const x = randomF32(6, rng);
    assert.throws(
      () => k.binary('add', x, [2, 3], randomF32(4, rng), [4], [2, 4]),
      /^Error: binary: shapes \[2,3\] and \[4\] do not broadcast to outShape \[2,4\] \(axis 1\)$/,
    );
    assert.throws(() => k.binary('add', x, [2, 3], x, [3, 2], [2, 3]), /do not broadcast/);
    assert.throws(() => k.binary('mul', x, [7], x, [6], [7]), /^Error: binary: a has 6 elements, expected aShape \[7\] = 7$/);
    assert.throws(() => k.reduce('sum', x, [2, 3], [1, 0]), /^Error: reduce: axes must be sorted and unique, received \[1,0\]$/);
    assert.throws(() => k.reduce('max', x, [2, 3], [2]), /^Error: reduce: axes\[0\] = 2 is out of range for rank 2$/);
    assert.throws(() => k.argMax(x, [2, 3], 2), /^Error: argMax: axis 2 is out of range for shape \[2,3\]$/);
    assert.throws(() => k.transpose(x, [2, 3], [0, 0]), /^Error: transpose: perm \[0,0\] is not a permutation of the axes$/);
    assert.throws(() => k.logSoftmax(x, 4, 2), /^Error: logSoftmax: x has 6 elements, expected rows\*cols = 4\*2 = 8$/);
    const step = { lrT: 1e-3, beta1: 0.9, beta2: 0.999, epsilonT: 1e-7 };
    assert.throws(
      () => k.adamUpdate(x, x.slice(), randomF32(5, rng), x.slice(), step),
      /^Error: adamUpdate: m has 5 elements, expected param.length = 6$/,
    );
    assert.throws(() => k.adamUpdate(x, x, x.slice(), x.slice(), step), /^Error: adamUpdate: param shares memory with grad$/);
    assert.throws(
      () => k.adamUpdate(x, x.slice(), x.slice(), x.slice(), { ...step, lrT: NaN }),
      /step\.lrT must be a finite number, received nan/,
    );
  });

  it('dropoutMask: the state has four words, the rate is in [0, 1)', () => {
    const out = new Float32Array(5);
    assert.throws(() => k.dropoutMask(out, new Int32Array(3), 0.5, 2), /^Error: dropoutMask: state has 3 elements, expected 4$/);
    assert.throws(() => k.dropoutMask(out, new Int32Array(4), 1, 2), /^Error: dropoutMask: expected rate in \[0, 1\), received 1\.0+$/);
    assert.throws(
      () => k.dropoutMask(out, new Int32Array(4), -0.5, 2),
      /^Error: dropoutMask: expected rate in \[0, 1\), received -0\.50*$/,
    );
  });

  it('reluBackward, batch norm, depthwise, pad, slice and concat: lengths, shapes and geometry', () => {
    const x = randomF32(12, rng);
    assert.throws(() => k.reluBackward(x, x.subarray(1)), /^Error: reluBackward: y has 11 elements, expected dy.length = 12$/);
    assert.throws(
      () => k.batchNormTrain(x, null, null, 5, 2, 1e-3, 'linear'),
      /^Error: batchNormTrain: x has 12 elements, expected rows\*channels = 5\*2 = 10$/,
    );
    assert.throws(
      () => k.batchNormTrain(x, randomF32(3, rng), null, 3, 4, 1e-3, 'linear'),
      /^Error: batchNormTrain: gamma has 3 elements, expected channels = 4$/,
    );
    assert.throws(
      () => k.batchNormTrain(x, null, null, 3, 4, 0, 'relu'),
      /^Error: batchNormTrain: epsilon must be a positive finite number$/,
    );
    const c4 = randomF32(4, rng);
    assert.throws(
      () => k.batchNormBackward(x, x, null, c4, randomF32(2, rng), 3, 4, 1e-3, 'linear', null),
      /^Error: batchNormBackward: variance has 2 elements, expected channels = 4$/,
    );
    assert.throws(
      () => k.batchNormInference(x, c4, c4.subarray(1), 3, 4, 'linear'),
      /^Error: batchNormInference: shift has 3 elements, expected channels = 4$/,
    );
    assert.throws(
      () => k.batchNormBackward(x, x, null, c4, c4, 3, 4, 1e-3, 'relu', x.subarray(2)),
      /^Error: batchNormBackward: activationOutput has 10 elements, expected rows\*channels = 3\*4 = 12$/,
    );
    assert.throws(
      () => k.batchNormTrain(x, null, null, 3, 4, 1e-3, 'gelu' as 'relu'),
      /batchNormTrain: activation must be 'linear', 'relu' or 'relu6', received 'gelu'/,
    );
    const g = convGeometry({ batch: 1, h: 5, w: 5, cin: 3, cout: 6, kh: 3, kw: 3 });
    assert.throws(
      () => k.depthwiseConv2d(randomF32(75, rng), randomF32(54, rng), null, { ...g, outChannels: 7 }, 'linear'),
      /^Error: depthwiseConv2d: geometry\.outChannels \(7\) must be a multiple of geometry\.inChannels \(3\)$/,
    );
    assert.throws(
      () => k.depthwiseConv2d(randomF32(75, rng), randomF32(53, rng), null, g, 'linear'),
      /^Error: depthwiseConv2d: filter has 53 elements, expected 3\*3\*3\*2 = 54$/,
    );
    assert.throws(
      () => k.depthwiseConv2dBackpropFilter(randomF32(75, rng), randomF32(5, rng), g),
      /^Error: depthwiseConv2dBackpropFilter: dy has 5 elements, expected 1\*3\*3\*6 = 54$/,
    );
    assert.throws(() => k.pad(x, [3, 5], [0, 1], [0, 0]), /^Error: pad: x has 12 elements, expected shape \[3,5\] = 15$/);
    assert.throws(
      () => k.pad(x, [3, 4], [0], [0, 0]),
      /^Error: pad: padsBefore \[0\] has 1 entries, expected one per axis of shape \[3,4\]$/,
    );
    assert.throws(
      () => k.slice(x, [3, 4], [1, 1], [2, 4]),
      /^Error: slice: the box at begin \[1,1\] of size \[2,4\] does not fit shape \[3,4\] \(axis 1\)$/,
    );
    assert.throws(
      () =>
        k.concat(
          [x, randomF32(6, rng)],
          [
            [3, 4],
            [2, 3],
          ],
          1,
        ),
      /^Error: concat: shapes\[1\] \[2,3\] does not match shapes\[0\] \[3,4\] on every axis but 1$/,
    );
    assert.throws(
      () =>
        k.concat(
          [x, x.subarray(1)],
          [
            [3, 4],
            [3, 4],
          ],
          0,
        ),
      /^Error: concat: xs\[1\] has 11 elements, expected shape \[3,4\] = 12$/,
    );
  });

  it('the raw addon checks argument types, counts and aliasing', () => {
    const addon = rawAddon();
    const a12 = randomF32(12, rng);
    const b20 = randomF32(20, rng);
    const out = new Float32Array(15);
    assert.throws(() => addon['matmul']!(), /^Error: matmul: expected 10 arguments, received 0$/);
    assert.throws(
      () => addon['matmul']!(new Float64Array(12), b20, 3, 4, 5, false, false, null, 'linear', out),
      /^Error: matmul: a must be a Float32Array, received Float64Array$/,
    );
    assert.throws(
      () => addon['matmul']!(a12, b20, 3, 4, 5, 0, false, null, 'linear', out),
      /^Error: matmul: transA must be a boolean, received a number$/,
    );
    assert.throws(
      () => addon['matmul']!(a12, b20, 3, 4, 5, false, false, null, 'linear', new Float32Array(12)),
      /^Error: matmul: out has 12 elements/,
    );
    const shared = new Float32Array(40);
    assert.throws(
      () => addon['matmul']!(shared.subarray(0, 12), b20, 3, 4, 5, false, false, null, 'linear', shared.subarray(10, 25)),
      /^Error: matmul: out shares memory with a$/,
    );
    assert.throws(() => addon['unary']!('cube', a12, new Float32Array(12)), /^Error: unary: unknown op 'cube'$/);
    // Every written buffer is kept apart from every other buffer, outputs from each other too.
    const pool = poolGeometry({ batch: 2, h: 4, w: 4, c: 3, ph: 2, pw: 2 });
    const bytes = new ArrayBuffer(24 * 4);
    assert.throws(
      () => addon['maxPool2d']!(randomF32(96, rng), pool, new Float32Array(bytes), new Int32Array(bytes)),
      /^Error: maxPool2d: y shares memory with argmax$/,
    );
    const state = new Int32Array([1, 2, 3, 4]);
    assert.throws(
      () => addon['dropoutMask']!(new Float32Array(state.buffer), state, 0.5, 2),
      /^Error: dropoutMask: out shares memory with state$/,
    );
    assert.throws(
      () => addon['movingAverageUpdate']!(a12, a12.subarray(6), 0.9),
      /^Error: movingAverageUpdate: average shares memory with value$/,
    );
    assert.throws(
      () => addon['conv2d']!(a12, a12, null, [1, 2], 'linear', out),
      /^Error: conv2d: geometry must be an object, received an array$/,
    );
  });
});

describe('load-time settings', () => {
  it('CONVKIT_NATIVE_ISA=portable and CONVKIT_NUM_THREADS=3 take effect and agree with ts', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const native = new URL(`file://${join(here, '..', '..', 'src', 'backends', 'native-loader.js')}`).href;
    const tsIndex = new URL(`file://${join(here, '..', '..', 'src', 'backends', 'ts', 'index.js')}`).href;
    const script = `
      import { loadNativeBackend, nativeInfo } from ${JSON.stringify(native)};
      import { tsKernels } from ${JSON.stringify(tsIndex)};
      const k = loadNativeBackend().backend.kernels;
      const r = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
      const worst = (x, y) => x.reduce((w, v, i) => Math.max(w, Math.abs(v - y[i]) / (1 + Math.abs(y[i]))), 0);
      const a = r(200 * 1600), b = r(1600 * 128), bias = r(128);
      const g = { batch: 4, inHeight: 13, inWidth: 13, inChannels: 32, outHeight: 11, outWidth: 11, outChannels: 64,
        kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 0, padLeft: 0 };
      const x = r(4 * 13 * 13 * 32), w = r(3 * 3 * 32 * 64), dy = r(4 * 11 * 11 * 64);
      console.log(JSON.stringify({
        info: nativeInfo(),
        matmul: worst(k.matmul(a, b, 200, 1600, 128, false, false, bias, 'relu'), tsKernels.matmul(a, b, 200, 1600, 128, false, false, bias, 'relu')),
        conv: worst(k.conv2d(x, w, null, g, 'linear'), tsKernels.conv2d(x, w, null, g, 'linear')),
        dx: worst(k.conv2dBackpropInput(dy, w, g), tsKernels.conv2dBackpropInput(dy, w, g)),
        dw: worst(k.conv2dBackpropFilter(x, dy, g), tsKernels.conv2dBackpropFilter(x, dy, g)),
      }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, CONVKIT_NATIVE_ISA: 'portable', CONVKIT_NUM_THREADS: '3' },
    });
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout) as { info: { isa: string; threads: number }; matmul: number; conv: number; dx: number; dw: number };
    assert.equal(r.info.isa, 'portable');
    assert.equal(r.info.threads, 3);
    assert.ok(r.matmul < 1e-5 * Math.sqrt(1600), `matmul worst relative error ${r.matmul}`);
    assert.ok(r.conv < 1e-5 * Math.sqrt(288), `conv2d worst relative error ${r.conv}`);
    assert.ok(r.dx < 1e-5 * Math.sqrt(576), `conv2dBackpropInput worst relative error ${r.dx}`);
    assert.ok(r.dw < 1e-5 * Math.sqrt(484), `conv2dBackpropFilter worst relative error ${r.dw}`);
  });
});
