/**
 * VGG16 and VGG19 as keras/src/applications/vgg16.py and vgg19.py build them, with Keras's
 * layer names (block1_conv1 … block5_pool, flatten, fc1, fc2, predictions), so a published
 * Keras weights file loads by name: `await model.loadWeights('vgg16_weights_tf_dim_ordering_tf_kernels.h5')`.
 */
import { input, layers } from '../../layers/index.js';
import { model, type Functional } from '../functional.js';
import { checkArgs, pooled, withWeights, type ApplicationArgs, type WithWeights } from './common.js';

function vgg(convsPerBlock: readonly number[], name: string, args: ApplicationArgs): Functional {
  const { includeTop, pooling, classes, inputShape, classifierActivation } = checkArgs(args, name, 32);
  const inputs = input({ shape: inputShape });
  let x = inputs;
  convsPerBlock.forEach((convs, b) => {
    const filters = [64, 128, 256, 512, 512][b]!;
    for (let c = 1; c <= convs; c++)
      x = layers.conv2d({ filters, kernelSize: 3, activation: 'relu', padding: 'same', name: `block${b + 1}_conv${c}` }).apply(x);
    x = layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x);
  });
  if (includeTop) {
    x = layers.flatten({ name: 'flatten' }).apply(x);
    x = layers.dense({ units: 4096, activation: 'relu', name: 'fc1' }).apply(x);
    x = layers.dense({ units: 4096, activation: 'relu', name: 'fc2' }).apply(x);
    x = layers.dense({ units: classes, activation: classifierActivation ?? 'linear', name: 'predictions' }).apply(x);
  } else x = pooled(x, pooling);
  return model({ inputs, outputs: x, name });
}

/**
 * VGG16 (Simonyan & Zisserman 2014): 138,357,544 parameters with the top at 224×224×3.
 * @example const base = zoo.vgg16({ includeTop: false, inputShape: [96, 96, 3], pooling: 'avg' });
 * @example const trained = await zoo.vgg16({ weights: 'vgg16_weights_tf_dim_ordering_tf_kernels.h5' });
 */
export function vgg16(args: WithWeights<ApplicationArgs>): Promise<Functional>;
export function vgg16(args?: ApplicationArgs & { weights?: null }): Functional;
export function vgg16(args: ApplicationArgs = {}): Functional | Promise<Functional> {
  return withWeights(vgg([2, 2, 3, 3, 3], 'vgg16', args), args.weights, 'vgg16');
}

/**
 * VGG19: 143,667,240 parameters with the top at 224×224×3.
 * @example const model = zoo.vgg19();
 */
export function vgg19(args: WithWeights<ApplicationArgs>): Promise<Functional>;
export function vgg19(args?: ApplicationArgs & { weights?: null }): Functional;
export function vgg19(args: ApplicationArgs = {}): Functional | Promise<Functional> {
  return withWeights(vgg([2, 2, 4, 4, 4], 'vgg19', args), args.weights, 'vgg19');
}
