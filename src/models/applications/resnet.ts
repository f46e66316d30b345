/**
 * ResNet50 as keras/src/applications/resnet.py builds it (ResNet v1 with bottleneck blocks,
 * biases on every conv, BatchNormalization epsilon 1.001e-5), with Keras's layer names
 * (conv1_pad, conv1_conv, conv2_block1_0_conv … conv5_block3_out, avg_pool, predictions), so
 * Keras's resnet50 weights files load by name.
 */
import { input, layers } from '../../layers/index.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import { model, type Functional } from '../functional.js';
import { checkArgs, pooled, withWeights, type ApplicationArgs, type WithWeights } from './common.js';

const bn = (name: string) => layers.batchNormalization({ epsilon: 1.001e-5, name });

/** Keras's residual_block_v1: 1×1 → 3×3 → 1×1 (4× filters), a projection shortcut when asked. */
function block(x: SymbolicTensor, filters: number, stride: number, convShortcut: boolean, name: string): SymbolicTensor {
  let shortcut = x;
  if (convShortcut) {
    shortcut = layers.conv2d({ filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }).apply(x);
    shortcut = bn(`${name}_0_bn`).apply(shortcut);
  }
  let y = layers.conv2d({ filters, kernelSize: 1, strides: stride, name: `${name}_1_conv` }).apply(x);
  y = layers.activation({ activation: 'relu', name: `${name}_1_relu` }).apply(bn(`${name}_1_bn`).apply(y));
  y = layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `${name}_2_conv` }).apply(y);
  y = layers.activation({ activation: 'relu', name: `${name}_2_relu` }).apply(bn(`${name}_2_bn`).apply(y));
  y = bn(`${name}_3_bn`).apply(layers.conv2d({ filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }).apply(y));
  const sum = layers.add({ name: `${name}_add` }).apply([shortcut, y]);
  return layers.activation({ activation: 'relu', name: `${name}_out` }).apply(sum);
}

function stack(x: SymbolicTensor, filters: number, blocks: number, stride1: number, name: string): SymbolicTensor {
  let y = block(x, filters, stride1, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) y = block(y, filters, 1, false, `${name}_block${i}`);
  return y;
}

/**
 * ResNet50 (He et al. 2015): 25,636,712 parameters with the top at 224×224×3.
 * @example const base = zoo.resnet50({ includeTop: false, pooling: 'avg', inputShape: [96, 96, 3] });
 * @example const trained = await zoo.resnet50({ weights: 'resnet50_weights_tf_dim_ordering_tf_kernels.h5' });
 */
export function resnet50(args: WithWeights<ApplicationArgs>): Promise<Functional>;
export function resnet50(args?: ApplicationArgs & { weights?: null }): Functional;
export function resnet50(args: ApplicationArgs = {}): Functional | Promise<Functional> {
  return withWeights(build(args), args.weights, 'resnet50');
}

function build(args: ApplicationArgs): Functional {
  const { includeTop, pooling, classes, inputShape, classifierActivation } = checkArgs(args, 'resnet50', 32);
  const inputs = input({ shape: inputShape });
  let x = layers
    .zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: 'conv1_pad',
    })
    .apply(inputs);
  x = layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, name: 'conv1_conv' }).apply(x);
  x = layers.activation({ activation: 'relu', name: 'conv1_relu' }).apply(bn('conv1_bn').apply(x));
  x = layers
    .zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: 'pool1_pad',
    })
    .apply(x);
  x = layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x);
  x = stack(x, 64, 3, 1, 'conv2');
  x = stack(x, 128, 4, 2, 'conv3');
  x = stack(x, 256, 6, 2, 'conv4');
  x = stack(x, 512, 3, 2, 'conv5');
  if (includeTop) {
    x = layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x);
    x = layers.dense({ units: classes, activation: classifierActivation ?? 'linear', name: 'predictions' }).apply(x);
  } else x = pooled(x, pooling, { avg: 'avg_pool', max: 'max_pool' });
  return model({ inputs, outputs: x, name: 'resnet50' });
}
