/**
 * What the Keras Applications architectures share: their options (Keras's include_top,
 * pooling, classes, input_shape, classifier_activation, weights, in camelCase) and the checks Keras makes.
 */
import { layers } from '../../layers/index.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import type { Functional } from '../functional.js';

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
  /**
   * A weights file to load by layer name once the model is built (Keras's `weights`), e.g. a
   * Keras Applications file you downloaded (`…_notop.h5`) or one `model.saveWeights` wrote. With
   * a path the builder returns a Promise of the model. Default null: random initialization.
   */
  weights?: string | null;
}

/** An application's options with a weights file: its builder returns a Promise. */
export type WithWeights<A> = A & { weights: string };

/** Checks the options as Keras's applications do; returns them with defaults. */
export function checkArgs(args: ApplicationArgs, where: string, minSize: number): Required<Omit<ApplicationArgs, 'weights'>> {
  const { includeTop = true, pooling = null, classes = 1000, inputShape = [224, 224, 3], classifierActivation = 'softmax' } = args;
  const { weights = null } = args;
  if (weights === 'imagenet')
    throw new Error(
      `${where}: weights 'imagenet' cannot be downloaded by Convkit; download Keras's weights file yourself and pass its path (weights: 'path/to/file.h5')`,
    );
  if (weights !== null && (typeof weights !== 'string' || weights === ''))
    throw new Error(`${where}: expected weights to be null or the path of a weights file, received ${JSON.stringify(weights)}`);
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

/**
 * The built model, or (given a weights path) a Promise of it once the file is loaded by layer
 * name through `model.loadWeights`; an error names the builder and the file.
 */
export function withWeights(m: Functional, weights: string | null | undefined, where: string): Functional | Promise<Functional> {
  if (weights === null || weights === undefined) return m;
  return m.loadWeights(weights).then(
    () => m,
    (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      throw new Error(`${where}: could not load weights from '${weights}': ${message}`, { cause: e });
    },
  );
}
