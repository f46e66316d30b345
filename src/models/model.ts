/**
 * Model: a layer made of layers, plus the Keras workflow (compile, fit, evaluate, predict,
 * summary). The training itself lives in src/training; a model hands itself to it.
 */
import { Layer, type LayerArgs } from '../layers/layer.js';
import { checkOptionNames } from '../layers/names.js';
import type { Shape } from '../layers/shape-types.js';
import { getLoss, type LossFn, type LossName } from '../losses/index.js';
import { getMetric, type MetricFn, type MetricName } from '../metrics/index.js';
import { getOptimizer, type Optimizer, type OptimizerName } from '../optimizers/index.js';
import { trimBufferPool } from '../tensor/buffer-pool.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import type { History } from '../training/callbacks.js';
import { evaluateLogs, predictBatched, predictSteps, runWithTurns } from '../training/evaluate.js';
import { fit, type FitArgs } from '../training/fit.js';
import {
  evaluateDataset,
  fitDataset,
  isBatchStream,
  predictDataset,
  type BatchSource,
  type FitDatasetArgs,
  type InputSource,
} from '../training/fit-dataset.js';
import type { Compiled, TrainableModel } from '../training/types.js';
import { checkBatchSize, checkInputs, checkTargets, modelDtype, toTensor, type DataLike, type InputsLike } from '../training/validate.js';
import { formatSummary } from './summary.js';

/** Options of `model.save` (model.json: `quantize`, `shardBytes` and `includeOptimizer`; .onnx: `nchw`). */
export interface SaveOptions {
  quantize?: 'uint8' | 'uint16' | 'float16';
  shardBytes?: number;
  /** model.json only: store the optimizer's state (default true, as Keras; tfjs's default is false). */
  includeOptimizer?: boolean;
  /** `.onnx` only: the graph's input (and rank-4 outputs) in NCHW, for callers that pass PyTorch-style tensors. */
  nchw?: boolean;
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
  /** Metric names or functions; one name alone is accepted too (as in TensorFlow.js). */
  metrics?: (MetricName | string | MetricFn)[] | MetricName | string;
}

/** Options of evaluate, predict and predictAsync. */
export interface BatchArgs {
  /** Samples per forward pass (default 32). */
  batchSize?: number;
  /** Accepted as Keras code passes it; evaluate and predict print nothing (Keras's verbose 0). */
  verbose?: 0 | 1 | 2;
}

type MetricId = MetricName | string | MetricFn;

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
  /** The metrics as compile received them, while an unbuilt model waits to resolve them. */
  private pendingMetrics: MetricId[] | null = null;

  constructor(args: LayerArgs, prefix: string) {
    super(args, prefix);
  }

  /** The model's layers, in order. */
  abstract get layers(): Layer[];
  /** Output shape with a null batch dimension. */
  abstract get outputShape(): Shape;
  /** Each layer's output shape, in `layers` order (for the summary). */
  abstract layerOutputShapes(): Shape[];
  /** Each input's shape with a null batch; null while a Sequential without input shape is unbuilt. */
  abstract get inputShapes(): Shape[] | null;

  /**
   * Builds a model that does not know its input shape yet from the shapes of the first data it
   * sees (as Keras does on the first fit/predict), then resolves compile's metrics for its output.
   */
  ensureBuilt(inputShapes: readonly (readonly number[])[]): void {
    if (!this.built && inputShapes.length === 1) this.build([null, ...inputShapes[0]!.slice(1)]);
    if (this.compiled && this.pendingMetrics && this.built) {
      this.compiled.metrics = this.resolveMetrics(this.pendingMetrics, this.compiled.loss.name);
      this.pendingMetrics = null;
    }
  }

  private resolveMetrics(ids: MetricId[], lossName: string): Compiled['metrics'] {
    const units = this.built ? (this.outputShape[this.outputShape.length - 1] ?? null) : null;
    return ids.map((m) => (typeof m === 'function' ? { name: m.name || 'metric', fn: m } : getMetric(m, lossName, units)));
  }

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

  /**
   * Chooses the optimizer, loss and metrics. A model without an input shape may be compiled; it
   * is built on its first fit, evaluate or predict.
   *
   * @example
   * model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
   */
  compile(args: CompileArgs): void {
    if (typeof args !== 'object' || args === null) {
      throw new Error(`compile: expected an options object { optimizer, loss, metrics }, received ${String(args)}`);
    }
    checkOptionNames(args, ['optimizer', 'loss', 'metrics'], 'compile');
    if (args.optimizer === undefined || args.optimizer === null) {
      throw new Error(
        "compile: expected optimizer (a name such as 'adam', or an optimizer such as optimizers.sgd({ learningRate: 0.01 })), received none",
      );
    }
    const loss = getLoss(args.loss);
    const optimizer = getOptimizer(args.optimizer);
    const ids = args.metrics ?? [];
    if (!Array.isArray(ids) && typeof ids !== 'string') {
      throw new Error(`compile: expected metrics to be a list such as ['accuracy'], received ${JSON.stringify(ids)}`);
    }
    const metricIds = Array.isArray(ids) ? [...ids] : [ids];
    // Unbuilt, 'accuracy' cannot see the output's units yet: resolved again once built.
    this.pendingMetrics = this.built ? null : metricIds;
    this.compiled = { optimizer, loss, metrics: this.resolveMetrics(metricIds, loss.name) };
  }

  /**
   * Trains the model. Returns the History of per-epoch logs. x is a tensor (an array of tensors
   * for a model of several inputs) or plain nested arrays; y likewise.
   *
   * @example
   * await model.fit(x, y, { epochs: 10, batchSize: 200, validationSplit: 0.2, verbose: 1 });
   * await model.fit(x, y, { callbacks: { onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) } });
   */
  fit(x: InputsLike, y: DataLike, args?: FitArgs): Promise<History>;
  /** Trains on a Dataset of [x, y] batches (one pass per epoch). @example await model.fit(train.batch(128), { epochs: 5, validationData: test.batch(500) }); */
  fit(dataset: BatchSource, args?: FitDatasetArgs): Promise<History>;
  fit(x: InputsLike | BatchSource, y?: DataLike | FitDatasetArgs, args: FitArgs = {}): Promise<History> {
    const run = isBatchStream(x)
      ? fitDataset(this, this.compiled, x, (y ?? {}) as FitDatasetArgs)
      : fit(this, this.compiled, x, y as DataLike, args);
    // The training steps keep their buffers for the next step; what is past the pool's cap goes back now.
    return run.finally(() => trimBufferPool());
  }

  /**
   * Loss and metrics on (x, y): `[loss, ...metrics]` in compile order.
   * @example const [loss, accuracy] = await model.evaluate(xTest, yTest, { batchSize: 1000 });
   */
  async evaluate(x: InputsLike | BatchSource, y?: DataLike, args: BatchArgs = {}): Promise<number[]> {
    if (!this.compiled) throw new Error(`evaluate: model "${this.name}" must be compiled first: call model.compile({ optimizer, loss })`);
    if (isBatchStream(x)) return Object.values(await evaluateDataset(this, this.compiled, x));
    if (y === undefined) throw new Error('evaluate: expected targets y with the inputs x (or one Dataset of [x, y] batches)');
    checkOptionNames(args, ['batchSize', 'verbose'], 'evaluate');
    const batchSize = checkBatchSize(args.batchSize ?? 32, 'evaluate');
    const dtype = modelDtype(this);
    const xs = checkInputs(this, x, 'evaluate', dtype);
    this.ensureBuilt(xs.map((t) => t.shape));
    const ys = checkTargets(this, this.compiled, toTensor(y, 'evaluate', 'y', dtype), xs[0]!, 'evaluate');
    return Object.values(await evaluateLogs(this, this.compiled, xs, ys, batchSize));
  }

  /** x checked and converted for a prediction, and the model built for it. */
  private predictInputs(x: InputsLike, args: BatchArgs, where: string): { xs: Tensor[]; batchSize: number } {
    checkOptionNames(args, ['batchSize', 'verbose'], where);
    const batchSize = checkBatchSize(args.batchSize ?? 32, where);
    const xs = checkInputs(this, x, where, modelDtype(this));
    this.ensureBuilt(xs.map((t) => t.shape));
    return { xs, batchSize };
  }

  /**
   * Outputs for every sample, computed in batches (an array of tensors for a model of several inputs).
   * @example const probabilities = model.predict(images, { batchSize: 1000 });
   */
  predict(x: InputsLike, args?: BatchArgs): Tensor;
  /** Outputs for every batch of a Dataset (of x, or of [x, y]), joined. @example const p = await model.predict(test.batch(500)); */
  predict(dataset: InputSource): Promise<Tensor>;
  predict(x: InputsLike | InputSource, args: BatchArgs = {}): Tensor | Promise<Tensor> {
    if (isBatchStream(x)) return predictDataset(this, x);
    const { xs, batchSize } = this.predictInputs(x as InputsLike, args, 'predict');
    return predictBatched(this, xs, batchSize);
  }

  /**
   * `predict` that gives the event loop a turn every ~100 ms, for a server or UI in the same process.
   * @example const probabilities = await model.predictAsync(images, { batchSize: 1000 });
   */
  async predictAsync(x: InputsLike, args: BatchArgs = {}): Promise<Tensor> {
    const { xs, batchSize } = this.predictInputs(x, args, 'predict');
    const result: { out: Tensor | null } = { out: null };
    await runWithTurns(predictSteps(this, xs, batchSize, result));
    return result.out!;
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
