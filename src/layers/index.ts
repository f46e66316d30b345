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
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, type ConcatenateArgs } from './merge.js';
import {
  ELU,
  LeakyReLU,
  ReLU,
  Softmax,
  type ELUArgs,
  type LeakyReLUArgs,
  type ReLUArgs,
  type SoftmaxArgs,
} from './advanced-activations.js';
import { BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
import { Conv2DTranspose, type Conv2DTransposeArgs } from './conv2d-transpose.js';
import { Cropping2D, type Cropping2DArgs } from './cropping2d.js';
import { DepthwiseConv2D, type DepthwiseConv2DArgs } from './depthwise-conv2d.js';
import { Dropout, SpatialDropout2D, type DropoutArgs, type SpatialDropout2DArgs } from './dropout.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D, type GlobalPooling2DArgs } from './global-pooling.js';
import { Permute, type PermuteArgs } from './permute.js';
import { Reshape, type ReshapeArgs } from './reshape.js';
import { SeparableConv2D, type SeparableConv2DArgs } from './separable-conv2d.js';
import { UpSampling2D, type UpSampling2DArgs } from './up-sampling2d.js';
import { ZeroPadding2D, type ZeroPadding2DArgs } from './zero-padding2d.js';
import { preprocessingLayers } from './preprocessing/index.js';

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
  concatenate: (args: ConcatenateArgs = {}) => new Concatenate(args),
  // Regularisation, normalisation and deeper architectures.
  dropout: (args: DropoutArgs) => new Dropout(args),
  spatialDropout2d: (args: SpatialDropout2DArgs) => new SpatialDropout2D(args),
  batchNormalization: (args: BatchNormalizationArgs = {}) => new BatchNormalization(args),
  globalAveragePooling2d: (args: GlobalPooling2DArgs = {}) => new GlobalAveragePooling2D(args),
  globalMaxPooling2d: (args: GlobalPooling2DArgs = {}) => new GlobalMaxPooling2D(args),
  zeroPadding2d: (args: ZeroPadding2DArgs = {}) => new ZeroPadding2D(args),
  cropping2d: (args: Cropping2DArgs = {}) => new Cropping2D(args),
  /** The same as cropping2d (the spelling of earlier Convkit versions). */
  cropping2D: (args: Cropping2DArgs = {}) => new Cropping2D(args),
  upSampling2d: (args: UpSampling2DArgs = {}) => new UpSampling2D(args),
  reshape: (args: ReshapeArgs) => new Reshape(args),
  permute: (args: PermuteArgs) => new Permute(args),
  reLU: (args: ReLUArgs = {}) => new ReLU(args),
  leakyReLU: (args: LeakyReLUArgs = {}) => new LeakyReLU(args),
  elu: (args: ELUArgs = {}) => new ELU(args),
  softmax: (args: SoftmaxArgs = {}) => new Softmax(args),
  depthwiseConv2d: (args: DepthwiseConv2DArgs) => new DepthwiseConv2D(args),
  separableConv2d: (args: SeparableConv2DArgs) => new SeparableConv2D(args),
  conv2dTranspose: (args: Conv2DTransposeArgs) => new Conv2DTranspose(args),
  // Augmentation and preprocessing (src/layers/preprocessing/).
  ...preprocessingLayers,
};

export { Activation, AveragePooling2D, Conv2D, Dense, Flatten, MaxPooling2D };
export { Add, Average, Concatenate, Maximum, MergeLayer, Minimum, Multiply, Subtract, type ConcatenateArgs } from './merge.js';
export { input, InputLayer, type InputArgs } from './input.js';
export { SymbolicTensor, type LayerNode } from './symbolic.js';
export {
  BatchNormalization,
  Conv2DTranspose,
  Cropping2D,
  DepthwiseConv2D,
  Dropout,
  ELU,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  LeakyReLU,
  Permute,
  ReLU,
  Reshape,
  SeparableConv2D,
  Softmax,
  SpatialDropout2D,
  UpSampling2D,
  ZeroPadding2D,
};
export { Layer, type CallContext, type LayerArgs, type LayerConfig, type WeightArgs } from './layer.js';
export { applyFused, applyFusedTriple, setLayerFusion } from './fusion.js';
export { layerFromConfig, registerLayer, serializeLayer, type SerializedLayer } from './registry.js';
export { activations, type ActivationName } from './activations.js';
export { initializers, type Initializer, type InitializerIdentifier } from './initializers.js';
export type { Shape } from './shape-types.js';
export * from './preprocessing/index.js';
