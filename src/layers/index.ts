/**
 * The layers, with factory functions named as in TensorFlow.js (`layers.conv2d({...})`).
 * Importing this module registers every layer class for `layerFromConfig`.
 */
import { Activation, type ActivationArgs } from './activation.js';
import { Conv2D, type Conv2DArgs } from './conv2d.js';
import { Dense, type DenseArgs } from './dense.js';
import { Flatten } from './flatten.js';
import type { LayerArgs } from './layer.js';
import { AveragePooling2D, MaxPooling2D, type Pooling2DArgs } from './pooling.js';
import { Add, Average, Maximum, Minimum, Multiply, Subtract } from './merge.js';

/**
 * Layer factories.
 *
 * @example
 * const conv = layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] });
 */
export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  conv2d: (args: Conv2DArgs) => new Conv2D(args),
  maxPooling2d: (args: Pooling2DArgs = {}) => new MaxPooling2D(args),
  averagePooling2d: (args: Pooling2DArgs = {}) => new AveragePooling2D(args),
  flatten: (args: LayerArgs = {}) => new Flatten(args),
  activation: (args: ActivationArgs) => new Activation(args),
  add: (args: LayerArgs = {}) => new Add(args),
  subtract: (args: LayerArgs = {}) => new Subtract(args),
  multiply: (args: LayerArgs = {}) => new Multiply(args),
  average: (args: LayerArgs = {}) => new Average(args),
  maximum: (args: LayerArgs = {}) => new Maximum(args),
  minimum: (args: LayerArgs = {}) => new Minimum(args),
};

export { Activation, AveragePooling2D, Conv2D, Dense, Flatten, MaxPooling2D };
export { Add, Average, Maximum, MergeLayer, Minimum, Multiply, Subtract } from './merge.js';
export { input, InputLayer, type InputArgs } from './input.js';
export { SymbolicTensor, type LayerNode } from './symbolic.js';
export { Layer, type CallContext, type LayerArgs, type LayerConfig } from './layer.js';
export { layerFromConfig, registerLayer, serializeLayer, type SerializedLayer } from './registry.js';
export { activations, type ActivationName } from './activations.js';
export { initializers, type Initializer, type InitializerIdentifier } from './initializers.js';
export type { Shape } from './shape-types.js';
