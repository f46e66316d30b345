/**
 * MobileNetV2 as keras/src/applications/mobilenet_v2.py builds it: the width multiplier
 * `alpha`, inverted residual blocks block_1 … block_16 (expanded_conv for the first), Keras's
 * layer names (Conv1, bn_Conv1, block_3_expand, block_3_pad, block_3_depthwise, …, Conv_1,
 * out_relu, predictions), BatchNormalization epsilon 1e-3 and momentum 0.999.
 */
import { input, layers } from '../../layers/index.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import { model, type Functional } from '../functional.js';
import { checkArgs, pooled, withWeights, type ApplicationArgs, type WithWeights } from './common.js';

export interface MobileNetV2Args extends ApplicationArgs {
  /** Width multiplier (default 1.0): filters in every layer scale by it, rounded to multiples of 8. */
  alpha?: number;
}

/** Keras's _make_divisible: v rounded to a multiple of `divisor`, never more than 10% down. */
export function makeDivisible(v: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

const bn = (name: string) => layers.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name });
const relu6 = (name: string) => layers.reLU({ maxValue: 6, name });

function invertedResidual(
  inputs: SymbolicTensor,
  expansion: number,
  stride: number,
  alpha: number,
  filters: number,
  id: number,
): SymbolicTensor {
  const inChannels = inputs.shape[3] as number;
  const pointwise = makeDivisible(Math.trunc(filters * alpha));
  let prefix = `block_${id}_`;
  let x = inputs;
  if (id) {
    x = layers
      .conv2d({ filters: expansion * inChannels, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}expand` })
      .apply(x);
    x = relu6(`${prefix}expand_relu`).apply(bn(`${prefix}expand_BN`).apply(x));
  } else prefix = 'expanded_conv_';
  if (stride === 2) {
    // Keras's correct_pad: one more row/column at the end than at the start for even sizes.
    const [h, w] = [x.shape[1] as number, x.shape[2] as number];
    x = layers
      .zeroPadding2d({
        padding: [
          [1 - (1 - (h % 2)), 1],
          [1 - (1 - (w % 2)), 1],
        ],
        name: `${prefix}pad`,
      })
      .apply(x);
  }
  x = layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      useBias: false,
      padding: stride === 1 ? 'same' : 'valid',
      name: `${prefix}depthwise`,
    })
    .apply(x);
  x = relu6(`${prefix}depthwise_relu`).apply(bn(`${prefix}depthwise_BN`).apply(x));
  x = layers.conv2d({ filters: pointwise, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}project` }).apply(x);
  x = bn(`${prefix}project_BN`).apply(x);
  return inChannels === pointwise && stride === 1 ? layers.add({ name: `${prefix}add` }).apply([inputs, x]) : x;
}

/** (filters, stride, expansion) of blocks 0…16, as Keras lists them. */
const BLOCKS: readonly [number, number, number][] = [
  [16, 1, 1],
  [24, 2, 6],
  [24, 1, 6],
  [32, 2, 6],
  [32, 1, 6],
  [32, 1, 6],
  [64, 2, 6],
  [64, 1, 6],
  [64, 1, 6],
  [64, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [160, 2, 6],
  [160, 1, 6],
  [160, 1, 6],
  [320, 1, 6],
];

/**
 * Keras's MobileNetV2 (Sandler et al. 2018): 3,538,984 parameters at alpha 1.0, 224×224×3, 1000 classes.
 * @example const base = kerasMobileNetV2({ alpha: 0.35, includeTop: false, pooling: 'avg', inputShape: [96, 96, 3] });
 * @example const trained = await kerasMobileNetV2({ includeTop: false, weights: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5' });
 */
export function kerasMobileNetV2(args: WithWeights<MobileNetV2Args>): Promise<Functional>;
export function kerasMobileNetV2(args?: MobileNetV2Args & { weights?: null }): Functional;
export function kerasMobileNetV2(args: MobileNetV2Args = {}): Functional | Promise<Functional> {
  return withWeights(buildKerasMobileNetV2(args), args.weights, 'mobilenetV2');
}

/** The architecture without loading weights (what kerasMobileNetV2 builds before its `weights`). */
export function buildKerasMobileNetV2(args: MobileNetV2Args): Functional {
  const { alpha = 1.0, ...rest } = args;
  if (typeof alpha !== 'number' || !(alpha > 0)) throw new Error(`mobilenetV2: expected alpha to be a positive number, received ${alpha}`);
  const { includeTop, pooling, classes, inputShape, classifierActivation } = checkArgs(rest, 'mobilenetV2', 32);
  const inputs = input({ shape: inputShape });
  let x = layers
    .conv2d({ filters: makeDivisible(32 * alpha), kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'Conv1' })
    .apply(inputs);
  x = relu6('Conv1_relu').apply(bn('bn_Conv1').apply(x));
  BLOCKS.forEach(([filters, stride, expansion], id) => (x = invertedResidual(x, expansion, stride, alpha, filters, id)));
  const last = alpha > 1.0 ? makeDivisible(1280 * alpha) : 1280;
  x = layers.conv2d({ filters: last, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x);
  x = relu6('out_relu').apply(bn('Conv_1_bn').apply(x));
  if (includeTop) {
    x = layers.globalAveragePooling2d().apply(x);
    x = layers.dense({ units: classes, activation: classifierActivation ?? 'linear', name: 'predictions' }).apply(x);
  } else x = pooled(x, pooling);
  return model({ inputs, outputs: x, name: `mobilenetv2_${alpha.toFixed(2)}_${inputShape[0]}` });
}
