/**
 * Model: a layer made of layers, plus the Keras workflow (compile, fit, evaluate, predict,
 * summary). The training itself lives in src/training; a model hands itself to it.
 */
import { Layer, type LayerArgs } from '../layers/layer.js';
import type { Shape } from '../layers/shape-types.js';
import { getLoss, type LossFn, type LossName } from '../losses/index.js';
import { getMetric, type MetricFn, type MetricName } from '../metrics/index.js';
import { getOptimizer, type Optimizer, type OptimizerName } from '../optimizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import type { History } from '../training/callbacks.js';
import { checkSameLength, evaluateLogs, predictBatched } from '../training/evaluate.js';
import { fit, type FitArgs } from '../training/fit.js';
import type { Compiled, TrainableModel } from '../training/types.js';
import { formatSummary } from './summary.js';

/** Options of `model.save` (model.json: `quantize` and `shardBytes`; other formats take none). */
export interface SaveOptions {
  quantize?: 'uint8' | 'uint16' | 'float16';
  shardBytes?: number;
}

/** The file formats, installed by src/io (which depends on models, not the other way round). */
export interface ModelFiles {
  save(model: Model, path: string, options: SaveOptions): Promise<void>;
  saveWeights(model: Model, path: string): Promise<void>;
  loadWeights(model: Model, path: string): Promise<void>;
}
let files: ModelFiles | null = null;

/** Called once by src/io/index.ts. */
export function installModelFiles(f: ModelFiles): void {
  files = f;
}

function modelFiles(): ModelFiles {
  if (!files)
    throw new Error("saving needs the file formats: import { loadModel } from 'convkit' (or 'convkit/build/src/io/index.js') first");
  return files;
}

export interface CompileArgs {
  optimizer: OptimizerName | Optimizer | string;
  loss: LossName | LossFn | string;
  metrics?: (MetricName | string | MetricFn)[];
}

/**
 * Base class of Sequential and functional models.
 *
 * @example
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * const history = await model.fit(x, y, { epochs: 10, batchSize: 200, validationSplit: 0.2 });
 * const [loss, accuracy] = await model.evaluate(xTest, yTest);
 */
export abstract class Model extends Layer implements TrainableModel {
  stopTraining = false;
  /** Set by `compile`. */
  compiled: Compiled | null = null;

  constructor(args: LayerArgs, prefix: string) {
    super(args, prefix);
  }

  /** The model's layers, in order. */
  abstract get layers(): Layer[];
  /** Output shape with a null batch dimension. */
  abstract get outputShape(): Shape;
  /** Each layer's output shape, in `layers` order (for the summary). */
  abstract layerOutputShapes(): Shape[];

  /** Finds a layer by name. @example model.getLayer('dense_1') */
  getLayer(name: string): Layer {
    const layer = this.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`Model "${this.name}": no layer named '${name}'; layers: ${this.layers.map((l) => l.name).join(', ')}`);
    return layer;
  }

  private unique(pick: (l: Layer) => Variable[]): Variable[] {
    return [...new Set(this.layers.flatMap(pick))];
  }
  override get trainableWeights(): Variable[] {
    return this.unique((l) => l.trainableWeights);
  }
  override get nonTrainableWeights(): Variable[] {
    return this.unique((l) => l.nonTrainableWeights);
  }
  override get weights(): Variable[] {
    return this.unique((l) => l.weights);
  }
  override regularizationLosses(): Tensor[] {
    return this.layers.flatMap((l) => l.regularizationLosses());
  }
  override countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }
  override get trainable(): boolean {
    return this.layers.every((l) => l.trainable);
  }
  override set trainable(value: boolean) {
    for (const l of this.layers) l.trainable = value;
  }

  /** Chooses the optimizer, loss and metrics. */
  compile(args: CompileArgs): void {
    const loss = getLoss(args.loss);
    const units = this.outputShape[this.outputShape.length - 1] ?? null;
    this.compiled = {
      optimizer: getOptimizer(args.optimizer),
      loss,
      metrics: (args.metrics ?? []).map((m) =>
        typeof m === 'function' ? { name: m.name || 'metric', fn: m } : getMetric(m, loss.name, units),
      ),
    };
  }

  /**
   * Trains the model. Returns the History of per-epoch logs.
   * @example await model.fit(x, y, { epochs: 10, batchSize: 200, validationSplit: 0.2, verbose: 1 });
   */
  fit(x: Tensor, y: Tensor, args: FitArgs = {}): Promise<History> {
    return fit(this, this.compiled, x, y, args);
  }

  /**
   * Loss and metrics on (x, y): `[loss, ...metrics]` in compile order.
   * @example const [loss, accuracy] = await model.evaluate(xTest, yTest);
   */
  async evaluate(x: Tensor, y: Tensor, args: { batchSize?: number } = {}): Promise<number[]> {
    if (!this.compiled) throw new Error(`evaluate: model "${this.name}" must be compiled first: call model.compile({ optimizer, loss })`);
    checkSameLength(x, y, 'evaluate');
    const batchSize = args.batchSize ?? 32;
    this.checkInput([batchSize, ...x.shape.slice(1)]);
    return Object.values(evaluateLogs(this, this.compiled, x, y, batchSize));
  }

  /**
   * Outputs for every sample, computed in batches.
   * @example const probabilities = model.predict(images, { batchSize: 1000 });
   */
  predict(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    return predictBatched(this, x, args.batchSize ?? 32);
  }

  /**
   * Saves the whole model (architecture, weights, compile config, optimizer state) atomically; the
   * format follows the name: `.keras` (Keras 3), `.h5` (legacy Keras), `model.json` (TensorFlow.js).
   * @example await model.save('mnist.keras');   // later: const m = await loadModel('mnist.keras');
   */
  async save(path: string, options: SaveOptions = {}): Promise<void> {
    return modelFiles().save(this, path, options);
  }

  /**
   * Saves the weights only: `.weights.h5` (Keras 3 layout) or `.h5` (legacy layout).
   * @example await model.saveWeights('mnist.weights.h5');
   */
  async saveWeights(path: string): Promise<void> {
    return modelFiles().saveWeights(this, path);
  }

  /**
   * Loads weights into this (same-architecture) model: `.weights.h5` (Keras 3 layout), or a legacy
   * Keras `.h5` matched by layer name (published Keras weight files).
   * @example await model.loadWeights('mnist.weights.h5');
   */
  async loadWeights(path: string): Promise<void> {
    return modelFiles().loadWeights(this, path);
  }

  /**
   * Prints (or returns) the Keras-style summary table.
   * @example model.summary();
   */
  summary(print: (line: string) => void = console.log): string {
    const text = formatSummary(this);
    for (const line of text.split('\n')) print(line);
    return text;
  }
}
