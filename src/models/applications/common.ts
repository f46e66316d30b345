/**
 * What the Keras Applications architectures share: their options (Keras's include_top,
 * pooling, classes, input_shape, classifier_activation, in camelCase) and the checks Keras makes.
 */
import { layers } from '../../layers/index.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';

export interface ApplicationArgs {
  /** Keep the ImageNet classifier on top (default true). */
  includeTop?: boolean;
  /** Without the top: 'avg' or 'max' global pooling, or none (the last feature map; default). */
  pooling?: 'avg' | 'max' | null;
  /** Classes of the top classifier (default 1000). */
  classes?: number;
  /** [height, width, channels] (default [224, 224, 3]). */
  inputShape?: [number, number, number];
  /** The top's activation (default 'softmax'). */
  classifierActivation?: string | null;
}

/** Checks the options as Keras's applications do; returns them with defaults. */
export function checkArgs(args: ApplicationArgs, where: string, minSize: number): Required<ApplicationArgs> {
  const { includeTop = true, pooling = null, classes = 1000, inputShape = [224, 224, 3], classifierActivation = 'softmax' } = args;
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d <= 0))
    throw new Error(`${where}: expected inputShape [height, width, channels], received ${JSON.stringify(inputShape)}`);
  if (inputShape[0] < minSize || inputShape[1] < minSize)
    throw new Error(`${where}: input height and width must be at least ${minSize}, received [${inputShape.join(', ')}]`);
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max')
    throw new Error(`${where}: expected pooling 'avg', 'max' or null, received ${JSON.stringify(pooling)}`);
  if (!Number.isInteger(classes) || classes <= 0)
    throw new Error(`${where}: expected classes to be a positive integer, received ${classes}`);
  return { includeTop, pooling, classes, inputShape, classifierActivation };
}

/** Without the top: Keras's optional global pooling. */
export function pooled(x: SymbolicTensor, pooling: 'avg' | 'max' | null, names?: { avg: string; max: string }): SymbolicTensor {
  if (pooling === 'avg') return layers.globalAveragePooling2d(names ? { name: names.avg } : {}).apply(x);
  if (pooling === 'max') return layers.globalMaxPooling2d(names ? { name: names.max } : {}).apply(x);
  return x;
}
