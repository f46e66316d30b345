/**
 * Elementwise ops: arithmetic with broadcasting, unary functions, comparisons and clipping.
 * Each differentiable op records itself on the tape; its gradient lives in autograd/rules.ts.
 */
import type { BinaryOp, UnaryOp } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, formatShape } from '../tensor/shape.js';
import { floatsOf, operands, wrap, type Operand } from './util.js';

type DiffBinary = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'pow' | 'addRelu';

/** Runs a binary kernel; returns the output and the operands as tensors (numbers made scalars). */
function binaryOp(op: BinaryOp, a: Operand, b: Operand): [Tensor, Tensor, Tensor] {
  const [ta, tb] = operands(a, b, op);
  const outShape = broadcastShapes(ta.shape, tb.shape);
  if (!outShape) {
    throw new Error(`${op}: shapes ${formatShape(ta.shape)} and ${formatShape(tb.shape)} cannot be broadcast together`);
  }
  const data = kernels().binary(op, floatsOf(ta, op, 'a'), ta.shape, floatsOf(tb, op, 'b'), tb.shape, outShape);
  return [wrap(data, outShape), ta, tb];
}

function differentiable2(op: DiffBinary, a: Operand, b: Operand): Tensor {
  const [out, ta, tb] = binaryOp(op, a, b);
  return record(op, [ta, tb], out, {});
}

function comparison(op: BinaryOp, a: Operand, b: Operand): Tensor {
  return binaryOp(op, a, b)[0];
}

function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  return wrap(kernels().unary(op, floatsOf(x, op, 'x')), x.shape);
}

/** a + b with broadcasting. @example add(x, 1) */
export const add = (a: Operand, b: Operand): Tensor => differentiable2('add', a, b);
/** a − b with broadcasting. @example sub(x, y) */
export const sub = (a: Operand, b: Operand): Tensor => differentiable2('sub', a, b);
/** a · b elementwise with broadcasting. @example mul(x, 0.5) */
export const mul = (a: Operand, b: Operand): Tensor => differentiable2('mul', a, b);
/** a / b elementwise with broadcasting. @example div(x, 255) */
export const div = (a: Operand, b: Operand): Tensor => differentiable2('div', a, b);
/** Elementwise maximum. @example maximum(x, 0) */
export const maximum = (a: Operand, b: Operand): Tensor => differentiable2('maximum', a, b);
/** Elementwise minimum. @example minimum(x, 6) */
export const minimum = (a: Operand, b: Operand): Tensor => differentiable2('minimum', a, b);
/**
 * relu(a + b) with broadcasting, in one pass: what an Add layer feeding a relu computes (models
 * fuse the pair). @example addRelu(x, shortcut)
 */
export const addRelu = (a: Operand, b: Operand): Tensor => differentiable2('addRelu', a, b);
/** a ** b elementwise. @example pow(x, 2) */
export const pow = (a: Operand, b: Operand): Tensor => differentiable2('pow', a, b);

/** Comparison a > b (1 or 0), not differentiable. @example greater(x, 0) */
export const greater = (a: Operand, b: Operand): Tensor => comparison('greater', a, b);
/** Comparison a ≥ b (1 or 0), not differentiable. */
export const greaterEqual = (a: Operand, b: Operand): Tensor => comparison('greaterEqual', a, b);
/** Comparison a == b (1 or 0), not differentiable. @example equal(argMax(p), labels) */
export const equal = (a: Operand, b: Operand): Tensor => comparison('equal', a, b);

type DiffUnary = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'square' | 'relu' | 'relu6' | 'sigmoid' | 'tanh' | 'erf';
function differentiable1(op: DiffUnary, x: Tensor): Tensor {
  return record(op, [x], unaryOp(op, x), {});
}

/** −x. @example neg(x) */
export const neg = (x: Tensor): Tensor => differentiable1('neg', x);
/** |x|. @example abs(x) */
export const abs = (x: Tensor): Tensor => differentiable1('abs', x);
/** eˣ. @example exp(x) */
export const exp = (x: Tensor): Tensor => differentiable1('exp', x);
/** Natural logarithm. @example log(p) */
export const log = (x: Tensor): Tensor => differentiable1('log', x);
/** Square root. @example sqrt(v) */
export const sqrt = (x: Tensor): Tensor => differentiable1('sqrt', x);
/** x². @example square(err) */
export const square = (x: Tensor): Tensor => differentiable1('square', x);
/** max(x, 0). @example relu(x) */
export const relu = (x: Tensor): Tensor => differentiable1('relu', x);
/**
 * min(max(x, 0), 6) in one kernel pass (one output buffer, where minimum(relu(x), 6) makes two);
 * the gradient flows where 0 < x < 6, as TensorFlow's Relu6Grad. @example relu6(x)
 */
export const relu6 = (x: Tensor): Tensor => differentiable1('relu6', x);
/** 1 / (1 + e⁻ˣ), computed stably. @example sigmoid(x) */
export const sigmoid = (x: Tensor): Tensor => differentiable1('sigmoid', x);
/** Hyperbolic tangent. @example tanh(x) */
export const tanh = (x: Tensor): Tensor => differentiable1('tanh', x);
/** The error function 2/√π ∫₀ˣ e^(−t²) dt. @example erf(div(x, Math.SQRT2)) */
export const erf = (x: Tensor): Tensor => differentiable1('erf', x);
/** 1 where x > 0, else 0; not differentiable (used by gradient rules). @example step(x) */
export const step = (x: Tensor): Tensor => unaryOp('step', x);
/** −1, 0 or 1; not differentiable. @example sign(x) */
export const sign = (x: Tensor): Tensor => unaryOp('sign', x);

/**
 * Clamps every value into [min, max]; the gradient flows only where x was inside.
 * @example clipByValue(p, 1e-7, 1 - 1e-7)
 */
export function clipByValue(x: Tensor, min: number, max: number): Tensor {
  if (!(min <= max)) throw new Error(`clipByValue: expected min <= max, received min=${min}, max=${max}`);
  const k = kernels();
  const lo = k.binary('maximum', floatsOf(x, 'clipByValue', 'x'), x.shape, scalar(x, min), [], x.shape);
  const out = k.binary('minimum', lo, x.shape, scalar(x, max), [], x.shape);
  return record('clipByValue', [x], wrap(out, x.shape), { min, max });
}

function scalar(like: Tensor, v: number): Float32Array | Float64Array {
  return like.dtype === 'float64' ? new Float64Array([v]) : new Float32Array([v]);
}
