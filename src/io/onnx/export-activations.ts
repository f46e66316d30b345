/**
 * Keras activations as ONNX opset-17 nodes: relu6 as Clip, hardSigmoid as HardSigmoid(1/6, 0.5),
 * swish as x·Sigmoid(x), gelu composed with Erf (ONNX's Gelu arrives only in opset 20).
 */
import type { ActivationName } from '../../layers/activations.js';
import { attr, type GraphBuilder } from './graph-builder.js';
import { onnxAxis } from './export-context.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Applies `activation` to value `x` of Convkit rank `rank`; returns the output name. */
export function exportActivation(g: GraphBuilder, activation: ActivationName, x: string, rank: number, base: string): string {
  const scalar = (name: string, v: number) => g.floats(`${base}_${name}`, [v], []);
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return g.node('Relu', [x], base);
    case 'relu6':
      return g.node('Clip', [x, scalar('min', 0), scalar('max', 6)], base);
    case 'sigmoid':
      return g.node('Sigmoid', [x], base);
    case 'hardSigmoid':
      return g.node('HardSigmoid', [x], base, [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)]);
    case 'tanh':
      return g.node('Tanh', [x], base);
    case 'softmax':
      return g.node('Softmax', [x], base, [attr.int('axis', onnxAxis(-1, rank))]);
    case 'logSoftmax':
      return g.node('LogSoftmax', [x], base, [attr.int('axis', onnxAxis(-1, rank))]);
    case 'softsign':
      return g.node('Softsign', [x], base);
    case 'exponential':
      return g.node('Exp', [x], base);
    case 'hardSilu':
    case 'hardSwish':
      return g.node('HardSwish', [x], base);
    case 'mish': // ONNX's Mish arrives in opset 18: x·tanh(softplus(x))
      return g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x], `${base}_softplus`)], `${base}_tanh`)], base);
    case 'elu':
      return g.node('Elu', [x], base, [attr.float('alpha', 1)]);
    case 'selu':
      return g.node('Selu', [x], base, [attr.float('alpha', SELU_ALPHA), attr.float('gamma', SELU_SCALE)]);
    case 'leakyRelu':
      return g.node('LeakyRelu', [x], base, [attr.float('alpha', 0.2)]);
    case 'softplus':
      return g.node('Softplus', [x], base);
    case 'swish':
    case 'silu':
      return g.node('Mul', [x, g.node('Sigmoid', [x], `${base}_sigmoid`)], base);
    case 'gelu': {
      // 0.5·x·(1 + erf(x/√2))
      const erf = g.node('Erf', [g.node('Mul', [x, scalar('rsqrt2', Math.SQRT1_2)], `${base}_scaled`)], `${base}_erf`);
      const half = g.node('Mul', [x, scalar('half', 0.5)], `${base}_half`);
      return g.node('Mul', [half, g.node('Add', [erf, scalar('one', 1)], `${base}_onep`)], base);
    }
    case 'geluNew': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = g.node('Mul', [g.node('Mul', [x, x], `${base}_sq`), x], `${base}_cube`);
      const inner = g.node('Add', [x, g.node('Mul', [cube, scalar('c', 0.044715)], `${base}_cubes`)], `${base}_inner`);
      const t = g.node('Tanh', [g.node('Mul', [inner, scalar('k', Math.sqrt(2 / Math.PI))], `${base}_arg`)], `${base}_tanh`);
      const half = g.node('Mul', [x, scalar('half', 0.5)], `${base}_half`);
      return g.node('Mul', [half, g.node('Add', [t, scalar('one', 1)], `${base}_onep`)], base);
    }
  }
}
