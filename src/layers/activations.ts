/**
 * Activation functions by Keras name, composed from differentiable ops (so their gradients come
 * from the rules of the primitives). relu is also fusable into the producing matmul/conv kernel.
 * Names are matched in every spelling a Keras 3, Keras 2 or TensorFlow.js config carries
 * (`hard_sigmoid`, `hardSigmoid`, `HardSigmoid`). sigmoid remembers its logits, as Keras's does,
 * so binary cross-entropy on a sigmoid output is computed from them.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { nameKey } from './names.js';

/** sigmoid output → its input (Keras keeps it as `output._keras_logits`). */
const sigmoidInputs = new WeakMap<Tensor, Tensor>();

/**
 * The logits a sigmoid activation computed `probabilities` from, or null.
 * @example sigmoidLogits(activations.sigmoid(z)) === z; // true
 */
export function sigmoidLogits(probabilities: Tensor): Tensor | null {
  return sigmoidInputs.get(probabilities) ?? null;
}

function sigmoid(x: Tensor): Tensor {
  const p = ops.sigmoid(x);
  sigmoidInputs.set(p, x);
  return p;
}

/** The hard sigmoid of Keras 3: relu6(x + 3) / 6. */
function hardSigmoid(x: Tensor): Tensor {
  return ops.div(ops.minimum(ops.relu(ops.add(x, 3)), 6), 6);
}

/** log(1 + eˣ), computed stably. */
function softplus(x: Tensor): Tensor {
  return ops.add(ops.relu(x), ops.log(ops.add(ops.exp(ops.neg(ops.abs(x))), 1)));
}

const alphaElu = 1.6732632423543772;
const scaleSelu = 1.0507009873554805;

/**
 * x for x > 0, alpha·(eˣ − 1) otherwise (the ELU layer's function; 'elu' is alpha = 1).
 * @example elu(x, 0.5)
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return ops.add(ops.relu(x), ops.mul(ops.sub(ops.exp(ops.minimum(x, 0)), 1), alpha));
}

/** x·Φ(x), Φ the standard normal CDF: 0.5·x·(1 + erf(x/√2)). */
function gelu(x: Tensor): Tensor {
  return ops.mul(ops.mul(x, 0.5), ops.add(ops.erf(ops.mul(x, Math.SQRT1_2)), 1));
}

/** The tanh approximation of gelu: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(x: Tensor): Tensor {
  const inner = ops.mul(ops.add(x, ops.mul(ops.mul(ops.square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return ops.mul(ops.mul(x, 0.5), ops.add(ops.tanh(inner), 1));
}

/**
 * Activations by name.
 *
 * @example
 * activations.relu(x);
 * layers.dense({ units: 10, activation: 'softmax' });
 */
export const activations = {
  linear: (x: Tensor) => x,
  relu: (x: Tensor) => ops.relu(x),
  relu6: (x: Tensor) => ops.relu6(x),
  sigmoid,
  hardSigmoid,
  tanh: (x: Tensor) => ops.tanh(x),
  softmax: (x: Tensor) => ops.softmax(x),
  logSoftmax: (x: Tensor) => ops.logSoftmax(x),
  elu: (x: Tensor) => elu(x),
  selu: (x: Tensor) => ops.mul(elu(x, alphaElu), scaleSelu),
  leakyRelu: (x: Tensor) => ops.maximum(x, ops.mul(x, 0.2)),
  softplus,
  softsign: (x: Tensor) => ops.div(x, ops.add(ops.abs(x), 1)),
  exponential: (x: Tensor) => ops.exp(x),
  swish: (x: Tensor) => ops.mul(x, ops.sigmoid(x)),
  silu: (x: Tensor) => ops.mul(x, ops.sigmoid(x)),
  /** x · hardSigmoid(x) (Keras 3's hard_silu, also called hard_swish). */
  hardSilu: (x: Tensor) => ops.mul(x, hardSigmoid(x)),
  hardSwish: (x: Tensor) => ops.mul(x, hardSigmoid(x)),
  /** x · tanh(softplus(x)). */
  mish: (x: Tensor) => ops.mul(x, ops.tanh(softplus(x))),
  /** Exact gelu, with erf (Keras 3's default, approximate=False). */
  gelu,
  /** gelu's tanh approximation (TensorFlow.js 'gelu_new'; Keras 3's gelu with approximate=True). */
  geluNew: geluTanh,
};

export type ActivationName = keyof typeof activations;

const BY_KEY = new Map<string, ActivationName>(Object.keys(activations).map((k) => [nameKey(k), k as ActivationName]));

/**
 * Resolves an activation name in any of its spellings (`leaky_relu`, `leakyRelu`, `LeakyRelu`),
 * with an error naming the layer.
 *
 * @example
 * getActivation('hard_sigmoid', 'Dense "dense"').name; // 'hardSigmoid'
 */
export function getActivation(name: string, where: string): { name: ActivationName; fn: (x: Tensor) => Tensor } {
  if (typeof name !== 'string') {
    throw new Error(`${where}: expected activation to be a name such as 'relu', received ${typeof name} ${JSON.stringify(name)}`);
  }
  const key = BY_KEY.get(nameKey(name));
  if (!key) throw new Error(`${where}: unknown activation '${name}'; expected one of ${Object.keys(activations).join(', ')}`);
  return { name: key, fn: activations[key] };
}

/** Keras's serialized activation name (snake_case), e.g. hardSigmoid → hard_sigmoid. */
export function kerasActivationName(name: ActivationName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
