/**
 * Convolution known values from PyTorch (test/fixtures/values.json): non-square stride and
 * dilation with asymmetric padding, several channels, and a shape of 11,532 output rows (past
 * the `ts` backend's 8,192-row chunk), forward and both gradients, on the `ts` kernels and (when
 * the addon is built) the native ones; then the fused conv2dMaxPool against PyTorch's
 * max_pool2d(relu(conv2d)), which, unlike maxPool2d(conv2d), the `ts` backend is not built from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradients } from '../../src/autograd/gradients.js';
import { getBackend } from '../../src/backends/index.js';
import type { Conv2dGeometry, Kernels } from '../../src/backends/kernels.js';
import { tsKernels } from '../../src/backends/ts/index.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixtureInts, valueFixtures, weightedSum, type ConvFixture } from '../helpers/fixtures.js';
import { nativeKernels } from '../helpers/native-required.js';
import { assertClose, assertSame } from './parity-util.js';

function geometry(c: ConvFixture): Conv2dGeometry {
  return {
    batch: c.batch,
    inHeight: c.h,
    inWidth: c.w,
    inChannels: c.cin,
    outHeight: c.outHeight,
    outWidth: c.outWidth,
    outChannels: c.cout,
    kernelHeight: c.kh,
    kernelWidth: c.kw,
    strideHeight: c.stride[0],
    strideWidth: c.stride[1],
    dilationHeight: c.dilation[0],
    dilationWidth: c.dilation[1],
    padTop: c.padTop,
    padLeft: c.padLeft,
  };
}

function sum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}

const backends: [string, Kernels][] = [['ts', tsKernels]];
if (nativeKernels) backends.push(['native', nativeKernels]);

describe('conv2d known values from PyTorch (small integers: exact in float32 and float64)', () => {
  for (const [name, k] of backends) {
    for (const c of valueFixtures.conv) {
      it(`${name}: ${c.name}`, () => {
        const g = geometry(c);
        const types = name === 'ts' ? [Float64Array, Float32Array] : [Float32Array];
        for (const T of types) {
          const x = T.from(fixtureInts(c.batch * c.h * c.w * c.cin, 37, 11, 5));
          const w = T.from(fixtureInts(c.kh * c.kw * c.cin * c.cout, 17, 7, 3));
          const rows = c.batch * c.outHeight * c.outWidth;
          const dy = T.from(fixtureInts(rows * c.cout, 13, 5, 2));
          const y = k.conv2d(x, w, null, g, 'linear');
          const dx = k.conv2dBackpropInput(dy, w, g);
          const dw = k.conv2dBackpropFilter(x, dy, g);
          const what = `${c.name} (${T.name})`;
          assertSame(dw, c.dw, `${what}: filter gradient`);
          if (c.y) {
            assertSame(y, c.y, `${what}: output`);
            assertSame(dx, c.dx!, `${what}: input gradient`);
          } else {
            assert.equal(y.length, rows * c.cout);
            for (const [row, values] of Object.entries(c.yRows!))
              assertSame(y.subarray(Number(row) * c.cout, (Number(row) + 1) * c.cout), values, `${what}: output row ${row}`);
            assert.equal(sum(y), c.ySum, `${what}: sum of the output`);
            assert.equal(weightedSum(y), c.yWeightedSum, `${what}: weighted sum of the output`);
            assert.equal(sum(dx), c.dxSum, `${what}: sum of the input gradient`);
            assert.equal(weightedSum(dx), c.dxWeightedSum, `${what}: weighted sum of the input gradient`);
          }
        }
      });
    }
  }
});

describe('depthwiseConv2d known values from PyTorch (groups = channels)', () => {
  for (const [name, k] of backends) {
    for (const c of valueFixtures.depthwise) {
      it(`${name}: ${c.name}`, () => {
        const g = geometry(c);
        const types = name === 'ts' ? [Float64Array, Float32Array] : [Float32Array];
        for (const T of types) {
          const x = T.from(fixtureInts(c.batch * c.h * c.w * c.cin, 37, 11, 5));
          const w = T.from(fixtureInts(c.kh * c.kw * c.cin * c.multiplier!, 17, 7, 3));
          const dy = T.from(fixtureInts(c.batch * c.outHeight * c.outWidth * c.cout, 13, 5, 2));
          const what = `${c.name} (${T.name})`;
          assertSame(k.depthwiseConv2d(x, w, null, g, 'linear'), c.y!, `${what}: output`);
          assertSame(k.depthwiseConv2dBackpropInput(dy, w, g), c.dx!, `${what}: input gradient`);
          assertSame(k.depthwiseConv2dBackpropFilter(x, dy, g), c.dw, `${what}: filter gradient`);
        }
      });
    }
  }
});

describe('conv2dMaxPool against PyTorch max_pool2d(relu(conv2d + bias))', () => {
  for (const c of valueFixtures.convPool) {
    for (const dtype of ['float64', 'float32'] as const) {
      // float64 runs the ts kernels on every backend; float32 the backend in use.
      const where = dtype === 'float64' ? 'ts' : getBackend().name;
      it(`${where} ${dtype}: ${c.name}`, () => {
        const T = dtype === 'float64' ? Float64Array : Float32Array;
        const tol = dtype === 'float64' ? 1e-12 : 2e-6;
        const [kh, kw, cout] = c.kernel;
        const x = new Tensor(T.from(c.x), c.shape);
        const w = new Tensor(T.from(c.w), [kh, kw, c.shape[3]!, cout]);
        const b = new Tensor(T.from(c.b), [cout]);
        for (const t of [x, w, b]) t.requiresGrad = true;
        const y = ops.conv2dMaxPool(x, w, { bias: b, activation: 'relu', padding: c.padding }, { poolSize: c.pool, strides: c.poolStride });
        assert.deepEqual(y.shape, c.yShape);
        assertClose(y.data, c.y, tol, `${c.name}: output`);
        const [dx, dw, db] = gradients(y, [x, w, b], new Tensor(T.from(c.dy), c.yShape));
        assertClose(dx!.data, c.dx, tol, `${c.name}: input gradient`);
        assertClose(dw!.data, c.dw, tol, `${c.name}: filter gradient`);
        assertClose(db!.data, c.db, tol, `${c.name}: bias gradient`);
      });
    }
  }
});

describe("'same' padding as TensorFlow: the odd padded pixel goes after", () => {
  it('conv2d and maxPool2d, stride 2 on a 4x4 image, worked by hand', () => {
    // x = 1..16 row by row; a 3x3 kernel of ones, stride 2: out 2x2, total padding
    // (2 − 1)·2 + 3 − 4 = 1 per axis, all of it after (bottom/right). Window sums:
    // rows 0–2 × cols 0–2 = 54; cols 2–3 (+pad) = 45; rows 2–3 × cols 0–2 = 72; the corner 54.
    const x = new Tensor(
      Float32Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    const ones = new Tensor(new Float32Array(9).fill(1), [3, 3, 1, 1]);
    assert.deepEqual(Array.from(ops.conv2d(x, ones, { strides: 2, padding: 'same' }).data), [54, 45, 72, 54]);
    // 3x3 max pool, stride 2, 'same' on 1..16: windows end at the bottom/right edge.
    assert.deepEqual(Array.from(ops.maxPool2d(x, { poolSize: 3, strides: 2, padding: 'same' }).data), [11, 12, 15, 16]);
  });
});
