/**
 * Ready architectures. `seedCnn` is the Keras MNIST tutorial's network (225,034 parameters
 * for 28×28×1 input and 10 classes).
 */
import { layers } from '../layers/index.js';
import { sequential, type Sequential } from './sequential.js';

export interface ZooArgs {
  inputShape?: [number, number, number];
  classes?: number;
}

/**
 * conv 32 3×3 relu → maxpool 2 → conv 64 3×3 relu → maxpool 2 → flatten → dense 128 relu → dense softmax.
 *
 * @example
 * const model = zoo.seedCnn();   // MNIST shape, 10 classes
 */
export function seedCnn({ inputShape = [28, 28, 1], classes = 10 }: ZooArgs = {}): Sequential {
  return sequential([
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 128, activation: 'relu' }),
    layers.dense({ units: classes, activation: 'softmax' }),
  ]);
}

/** The architectures by name, for the CLI's `--model`. */
export const zoo = { seedCnn };
