/**
 * Native-versus-TypeScript parity: every kernel of the native addon against the reference
 * backend on seeded random inputs with odd sizes (1, 3, 7, 13, 33), transposes, broadcasts and
 * fused epilogues, plus shapes large enough to take the threaded and multi-block paths
 * (convolution and pooling: native-parity-conv.test.ts; the deeper kernels:
 * native-parity-deeper.test.ts). The suite runs once per instruction set this CPU has
 * (avx512, avx2, portable), switched in-process with setNativeIsa.
 *
 * Tolerances: kernels that sum k products (matmul, conv) allow 1e-5·√k relative+absolute;
 * sums over n elements 1e-6·n·max|x|; elementwise functions 1e-6 relative (libm's float
 * functions against Math's double ones); +, -, ×, ÷, max, min, comparisons, pooling maxima,
 * argMax and transpose must match exactly. Outputs are poisoned with NaN before each kernel
 * runs (CONVKIT_NATIVE_POISON), so an output element a kernel never writes fails the test.
 */
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../../src/backends/kernels.js';
import type { Kernels } from '../../src/backends/kernels.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import type { Random } from '../../src/tensor/random.js';
import { assertClose, assertSame, describeParity, it, label, randomF32, randomInts, sumTolerance } from './parity-util.js';

const SIZES = [1, 3, 7, 13, 33];

function suite(k: Kernels, rng: Random): void {
  it('matmul: every transpose, bias and relu combination on odd sizes', () => {
    for (const m of SIZES)
      for (const kk of SIZES)
        for (const n of SIZES) {
          const a = randomF32(m * kk, rng);
          const b = randomF32(kk * n, rng);
          const bias = randomF32(n, rng);
          for (const transA of [false, true])
            for (const transB of [false, true])
              for (const [bs, act] of [
                [null, 'linear'],
                [bias, 'relu'],
              ] as const) {
                const what = `matmul ${label({ m, k: kk, n, transA, transB, bias: !!bs, act })}`;
                assertClose(
                  k.matmul(a, b, m, kk, n, transA, transB, bs, act),
                  ts.matmul(a, b, m, kk, n, transA, transB, bs, act),
                  sumTolerance(kk),
                  what,
                );
              }
        }
  });

  it('matmul: multi-block, threaded and split-k shapes', () => {
    const shapes: [number, number, number][] = [
      [150, 300, 70], // two k blocks, partial m block
      [5, 3, 4100], // more than one nc block
      [200, 1600, 128], // seed dense1 forward, threaded
      [9, 20000, 32], // tiny C, long k: split-k
      [300, 1, 50], // k = 1
      [4, 0, 5], // k = 0: just the epilogue
      [0, 5, 3],
    ];
    for (const [m, kk, n] of shapes)
      for (const transA of [false, true])
        for (const transB of [false, true]) {
          const a = randomF32(m * kk, rng);
          const b = randomF32(kk * n, rng);
          const bias = randomF32(n, rng);
          const what = `matmul ${label({ m, k: kk, n, transA, transB })}`;
          assertClose(
            k.matmul(a, b, m, kk, n, transA, transB, bias, 'relu'),
            ts.matmul(a, b, m, kk, n, transA, transB, bias, 'relu'),
            sumTolerance(kk),
            what,
          );
        }
  });

  it('matmul: NaN propagates through the bias and relu epilogue', () => {
    for (const [m, kk, n] of [
      [7, 13, 33],
      [150, 300, 70],
    ] as const) {
      const a = randomF32(m * kk, rng);
      a[kk + 2] = NaN; // all of row 1
      const b = randomF32(kk * n, rng);
      const bias = randomF32(n, rng);
      bias[3] = NaN; // all of column 3
      assertClose(
        k.matmul(a, b, m, kk, n, false, false, bias, 'relu'),
        ts.matmul(a, b, m, kk, n, false, false, bias, 'relu'),
        sumTolerance(kk),
        `matmul NaN ${m}x${kk}x${n}`,
      );
    }
  });

  it('unary: every op, special values included', () => {
    const specials = [0, -0, 1, -1, NaN, Infinity, -Infinity, 88.7, -88.7, 100, -100, 1e-30, -1e-30, 3.4e38];
    for (const n of [1, 7, 33, 100_003]) {
      const x = randomF32(n, rng, -4, 4);
      if (n > specials.length) x.set(specials);
      for (const op of UNARY_OPS) assertClose(k.unary(op, x), ts.unary(op, x), 1e-6, `unary ${op} n=${n}`);
    }
  });

  it('binary: every op with same-shape, scalar, row, column and general broadcasts', () => {
    const shapes: [number[], number[], number[]][] = [
      [
        [7, 13],
        [7, 13],
        [7, 13],
      ],
      [[7, 13], [], [7, 13]],
      [[1], [3, 7], [3, 7]],
      [[5, 33], [33], [5, 33]],
      [
        [5, 1],
        [5, 33],
        [5, 33],
      ],
      [
        [3, 1, 5],
        [1, 4, 1],
        [3, 4, 5],
      ],
      [
        [2, 3, 4, 5],
        [4, 1],
        [2, 3, 4, 5],
      ],
      [
        [1, 7],
        [1, 1],
        [1, 7],
      ],
      [[0, 3], [3], [0, 3]],
      [
        [200, 1600],
        [200, 1600],
        [200, 1600],
      ],
      [[200, 1600], [1600], [200, 1600]],
      [
        [2, 50, 1, 30],
        [50, 1],
        [2, 50, 50, 30],
      ],
    ];
    const exact = new Set(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'greater', 'greaterEqual', 'equal']);
    for (const [aShape, bShape, outShape] of shapes) {
      const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
      for (const ints of [false, true]) {
        const a = ints ? randomInts(size(aShape), rng) : randomF32(size(aShape), rng, -2, 2);
        const b = ints ? randomInts(size(bShape), rng) : randomF32(size(bShape), rng, -2, 2);
        for (const op of BINARY_OPS) {
          const what = `binary ${op} ${label({ aShape, bShape, ints })}`;
          const nat = k.binary(op, a, aShape, b, bShape, outShape);
          const ref = ts.binary(op, a, aShape, b, bShape, outShape);
          if (exact.has(op)) assertSame(nat, ref, what);
          else assertClose(nat, ref, 1e-6, what);
        }
      }
    }
  });

  it('reduce: sum, max and min over every axis set', () => {
    const cases: [number[], number[][]][] = [
      [[7], [[0], []]],
      [
        [5, 33],
        [[0], [1], [0, 1]],
      ],
      [
        [3, 4, 5],
        [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2], []],
      ],
      [
        [2, 3, 1, 5],
        [[0, 2], [2], [1, 3], [0, 1, 3]],
      ],
      [[200 * 26 * 26, 32], [[0]]], // conv1 bias gradient
      [[5, 7, 7, 37], [[1, 2]]], // global pooling over H·W: [A, R, K] → [A, K], a lane tail
      [[33, 9, 9, 130], [[1, 2]]], // the same, split over threads
      [
        [0, 4],
        [[0], [1]],
      ],
      [[3, 0], [[1]]],
    ];
    for (const [shape, axesList] of cases) {
      const x = randomF32(
        shape.reduce((p, d) => p * d, 1),
        rng,
      );
      for (const axes of axesList) {
        const n = axes.reduce((p, a) => p * shape[a]!, 1);
        for (const op of REDUCE_OPS) {
          const what = `reduce ${op} ${label({ shape, axes })}`;
          if (op === 'sum') assertClose(k.reduce(op, x, shape, axes), ts.reduce(op, x, shape, axes), 1e-6 * (n + 1), what);
          else assertSame(k.reduce(op, x, shape, axes), ts.reduce(op, x, shape, axes), what);
        }
      }
    }
  });

  it('argMax and transpose', () => {
    const cases: [number[], number][] = [
      [[7, 13], 0],
      [[7, 13], 1],
      [[3, 4, 5], 1],
      [[3, 4, 5], 2],
      [[200, 10], 1],
      [[1], 0],
    ];
    for (const [shape, axis] of cases)
      for (const x of [
        randomF32(
          shape.reduce((p, d) => p * d, 1),
          rng,
        ),
        randomInts(
          shape.reduce((p, d) => p * d, 1),
          rng,
        ),
      ])
        assertSame(k.argMax(x, shape, axis), ts.argMax(x, shape, axis), `argMax ${label({ shape, axis })}`);
    const perms: [number[], number[]][] = [
      [
        [7, 13],
        [1, 0],
      ],
      [
        [2, 3, 4],
        [0, 2, 1],
      ],
      [
        [2, 3, 4],
        [1, 0, 2],
      ],
      [
        [2, 3, 4],
        [1, 2, 0],
      ],
      [
        [2, 3, 4],
        [2, 0, 1],
      ],
      [
        [2, 3, 4],
        [2, 1, 0],
      ],
      [
        [2, 1, 3, 1, 5],
        [4, 1, 0, 3, 2],
      ],
      [
        [200, 1600],
        [1, 0],
      ],
      [
        [0, 3],
        [1, 0],
      ],
    ];
    for (const [shape, perm] of perms) {
      const x = randomF32(
        shape.reduce((p, d) => p * d, 1),
        rng,
      );
      assertSame(k.transpose(x, shape, perm), ts.transpose(x, shape, perm), `transpose ${label({ shape, perm })}`);
    }
  });

  it('logSoftmax and its backward', () => {
    for (const [rows, cols, scale] of [
      [1, 1, 1],
      [7, 13, 3],
      [200, 10, 5],
      [3, 1000, 80],
      [5000, 33, 1],
    ] as const) {
      const x = randomF32(rows * cols, rng, -scale, scale);
      const dy = randomF32(rows * cols, rng);
      const y = ts.logSoftmax(x, rows, cols);
      const what = label({ rows, cols, scale });
      assertClose(k.logSoftmax(x, rows, cols), y, 1e-6, `logSoftmax ${what}`);
      assertClose(
        k.logSoftmaxBackward(dy, y, rows, cols),
        ts.logSoftmaxBackward(dy, y, rows, cols),
        1e-6 * Math.sqrt(cols),
        `logSoftmaxBackward ${what}`,
      );
    }
  });

  it('adamUpdate, three steps in place', () => {
    for (const n of [1, 33, 100_003]) {
      const state = () => [randomF32(n, rng), randomF32(n, rng, -0.1, 0.1), randomF32(n, rng, 0, 0.01)] as const;
      const [p0, m0, v0] = state();
      const [pn, mn, vn] = [p0.slice(), m0.slice(), v0.slice()];
      const [pr, mr, vr] = [p0.slice(), m0.slice(), v0.slice()];
      for (let t = 1; t <= 3; t++) {
        const grad = randomF32(n, rng);
        const step = {
          lrT: (1e-3 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t),
          beta1: 0.9,
          beta2: 0.999,
          epsilonT: 1e-7 * Math.sqrt(1 - 0.999 ** t),
        };
        k.adamUpdate(pn, grad, mn, vn, step);
        ts.adamUpdate(pr, grad, mr, vr, step);
      }
      assertClose(pn, pr, 1e-6, `adam param n=${n}`);
      assertClose(mn, mr, 1e-6, `adam m n=${n}`);
      assertClose(vn, vr, 1e-6, `adam v n=${n}`);
    }
  });
}

describeParity('native backend parity with ts', 2024, suite);
