/**
 * Activation functions by Keras name, composed from differentiable ops (so their gradients come
 * from the rules of the primitives). relu is also fusable into the producing matmul/conv kernel.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';

const alphaElu = 1.6732632423543772;
const scaleSelu = 1.0507009873554805;

function elu(x: Tensor, alpha = 1): Tensor {
  return ops.add(ops.relu(x), ops.mul(ops.sub(ops.exp(ops.minimum(x, 0)), 1), alpha));
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
  relu6: (x: Tensor) => ops.minimum(ops.relu(x), 6),
  sigmoid: (x: Tensor) => ops.sigmoid(x),
  hardSigmoid: (x: Tensor) => ops.div(ops.minimum(ops.relu(ops.add(x, 3)), 6), 6),
  tanh: (x: Tensor) => ops.tanh(x),
  softmax: (x: Tensor) => ops.softmax(x),
  elu: (x: Tensor) => elu(x),
  selu: (x: Tensor) => ops.mul(elu(x, alphaElu), scaleSelu),
  leakyRelu: (x: Tensor) => ops.maximum(x, ops.mul(x, 0.2)),
  softplus: (x: Tensor) => ops.add(ops.relu(x), ops.log(ops.add(ops.exp(ops.neg(ops.abs(x))), 1))),
  swish: (x: Tensor) => ops.mul(x, ops.sigmoid(x)),
  silu: (x: Tensor) => ops.mul(x, ops.sigmoid(x)),
};

export type ActivationName = keyof typeof activations;

/** Resolves an activation name (camelCase or Keras snake_case) with an error naming the layer. */
export function getActivation(name: string, where: string): { name: ActivationName; fn: (x: Tensor) => Tensor } {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (!(camel in activations)) {
    throw new Error(`${where}: unknown activation '${name}'; expected one of ${Object.keys(activations).join(', ')}`);
  }
  const key = camel as ActivationName;
  return { name: key, fn: activations[key] };
}

/** Keras's serialized activation name (snake_case), e.g. hardSigmoid → hard_sigmoid. */
export function kerasActivationName(name: ActivationName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
