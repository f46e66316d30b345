/**
 * `savedForBackward` (rules.ts) tells the truth: for every primitive, with every input and then
 * each one alone wanting a gradient, the gradients are unchanged when every buffer that no
 * recorded rule declares it reads is overwritten with NaN before the backward pass. A rule that
 * read a value its entry leaves out would turn NaN here (and read a recycled buffer in training).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradients } from '../../src/autograd/gradients.js';
import { savedBy } from '../../src/autograd/release.js';
import type { OpName } from '../../src/autograd/rules.js';
import { setBackend } from '../../src/backends/index.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomInput } from '../helpers/gradcheck.js';

setBackend('ts');

/** Makes the leaves of one case; `r(shape, lo, hi)` gives a fresh float64 leaf. */
type Leaf = (shape: number[], lo?: number, hi?: number) => Tensor;
interface Case {
  leaves: (r: Leaf) => Tensor[];
  /** The output, computed from the leaves; its node is the case's primitive. */
  y: (xs: Tensor[]) => Tensor;
}

const unary = (f: (x: Tensor) => Tensor, lo = -1, hi = 1): Case => ({ leaves: (r) => [r([2, 3], lo, hi)], y: ([x]) => f(x!) });
const binary = (f: (a: Tensor, b: Tensor) => Tensor, lo = -1, hi = 1): Case => ({
  leaves: (r) => [r([2, 3], lo, hi), r([3], lo, hi)],
  y: ([a, b]) => f(a!, b!),
});
const image = (r: Leaf) => r([1, 5, 5, 2]);

/** One case per primitive: the type requires them all. */
const cases: { [K in OpName]: Case } = {
  add: binary(ops.add),
  addRelu: binary(ops.addRelu),
  sub: binary(ops.sub),
  mul: binary(ops.mul),
  div: binary(ops.div, 0.5, 2),
  maximum: binary(ops.maximum),
  minimum: binary(ops.minimum),
  pow: binary(ops.pow, 0.5, 2),
  neg: unary(ops.neg),
  abs: unary(ops.abs),
  exp: unary(ops.exp),
  log: unary(ops.log, 0.5, 2),
  sqrt: unary(ops.sqrt, 0.5, 2),
  square: unary(ops.square),
  relu: unary(ops.relu),
  relu6: unary(ops.relu6, -2, 8),
  sigmoid: unary(ops.sigmoid),
  tanh: unary(ops.tanh),
  erf: unary(ops.erf),
  clipByValue: unary((x) => ops.clipByValue(x, -0.5, 0.5)),
  matmul: { leaves: (r) => [r([2, 3]), r([3, 4]), r([4])], y: ([a, b, bias]) => ops.matmul(a!, b!, { bias, activation: 'relu' }) },
  conv2d: {
    leaves: (r) => [image(r), r([3, 3, 2, 3]), r([3])],
    y: ([x, f, bias]) => ops.conv2d(x!, f!, { bias, activation: 'relu', padding: 'same' }),
  },
  depthwiseConv2d: { leaves: (r) => [image(r), r([3, 3, 2, 2])], y: ([x, f]) => ops.depthwiseConv2d(x!, f!) },
  conv2dTranspose: { leaves: (r) => [r([1, 3, 3, 3]), r([3, 3, 2, 3])], y: ([x, f]) => ops.conv2dTranspose(x!, f!, { strides: 2 }) },
  // Through a relu: the pooling then reads its output for the relu's mask (reluInput).
  maxPool2d: { leaves: (r) => [r([1, 4, 4, 2])], y: ([x]) => ops.maxPool2d(ops.relu(x!)) },
  conv2dMaxPool: {
    leaves: (r) => [image(r), r([2, 2, 2, 3]), r([3])],
    y: ([x, f, bias]) => ops.conv2dMaxPool(x!, f!, { bias, activation: 'relu' }, { poolSize: 2 }),
  },
  avgPool2d: { leaves: (r) => [r([1, 4, 4, 2])], y: ([x]) => ops.avgPool2d(x!) },
  sum: unary((x) => ops.sum(x, 1)),
  max: unary((x) => ops.max(x, 1)),
  reshape: unary((x) => ops.reshape(x, [3, 2])),
  transpose: unary((x) => ops.transpose(x, [1, 0])),
  pad: unary((x) =>
    ops.pad(x, [
      [1, 0],
      [0, 2],
    ]),
  ),
  slice: unary((x) => ops.slice(x, [0, 1], [2, 2])),
  concat: { leaves: (r) => [r([2, 3]), r([2, 2])], y: (xs) => ops.concat(xs, 1) },
  upSample2d: { leaves: (r) => [r([1, 2, 2, 2])], y: ([x]) => ops.upSample2d(x!, 2, 3) },
  logSoftmax: unary(ops.logSoftmax),
  fusedBatchNorm: { leaves: (r) => [r([4, 3]), r([3]), r([3])], y: ([x, g, b]) => ops.fusedBatchNorm(x!, g!, b!, 1e-3, 'relu').y },
  batchNormInference: {
    leaves: (r) => [r([4, 3]), r([3]), r([3], 0.5, 2), r([3]), r([3])],
    y: ([x, mean, variance, offset, scale]) => ops.batchNormalization(x!, mean!, variance!, offset!, scale!, 1e-3, 'relu'),
  },
};

/** Every tape node reachable from y, as [output, node] pairs. */
function tapeOf(y: Tensor): Tensor[] {
  const seen = new Set<Tensor>();
  const visit = (t: Tensor): void => {
    if (seen.has(t) || !t.node) return;
    seen.add(t);
    t.node.inputs.forEach(visit);
  };
  visit(y);
  return [...seen];
}

/** The gradients of `c` for the leaves `wants` selects; with `poison`, unsaved buffers are NaN first. */
function run(c: Case, wants: (i: number) => boolean, poison: boolean, op: OpName): number[][] {
  const rng = new Random(5);
  const leaves = c.leaves((shape, lo = -1, hi = 1) => randomInput(shape, rng, lo, hi));
  leaves.forEach((t, i) => (t.requiresGrad = wants(i)));
  const y = c.y(leaves);
  assert.equal(y.node?.op, op, `the ${op} case records ${y.node?.op ?? 'nothing'}`);
  const dyData = new Float64Array(y.size);
  for (let i = 0; i < dyData.length; i++) dyData[i] = rng.uniform() + 0.5;
  if (poison) {
    const outputs = tapeOf(y);
    const saved = new Set(outputs.flatMap((t) => savedBy(t.node!, t)).map((v) => v.buffer));
    const everyValue = new Set([...outputs, ...outputs.flatMap((t) => t.node!.inputs)]);
    for (const t of everyValue) if (!saved.has(t.data.buffer)) t.data.fill(NaN);
  }
  const wanted = leaves.filter((_, i) => wants(i));
  return gradients(y, wanted, new Tensor(dyData, y.shape)).map((g) => [...g!.data]);
}

describe('savedForBackward: a rule reads nothing its entry leaves out', () => {
  for (const op of Object.keys(cases) as OpName[]) {
    it(op, () => {
      const c = cases[op];
      const n = c.leaves(() => new Tensor(new Float64Array(1), [1])).length;
      const selections: ((i: number) => boolean)[] = [() => true, ...Array.from({ length: n }, (_, k) => (i: number) => i === k)];
      for (const wants of selections) {
        const clean = run(c, wants, false, op);
        assert.ok(clean.flat().every(Number.isFinite), `${op}: the clean gradients are finite`);
        assert.deepEqual(run(c, wants, true, op), clean, `${op}: a buffer the table leaves out was read`);
      }
    });
  }

  it('can fail: a table that left out what a rule reads would be caught', () => {
    // relu's rule reads y (its mask): overwritten, the gradient changes.
    const dy = new Tensor(new Float64Array(6).fill(1), [2, 3]);
    const gradient = (poison: boolean): number[] => {
      const x = randomInput([2, 3], new Random(1));
      const y = ops.relu(x);
      if (poison) y.data.fill(NaN);
      return [...gradients(y, [x], dy)[0]!.data];
    };
    assert.notDeepEqual(gradient(true), gradient(false));
  });
});
