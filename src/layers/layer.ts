/**
 * The layer contract, as in Keras: `constructor(args)` / `build(inputShape)` /
 * `call(x, {training})` / `computeOutputShape` / `getConfig`, with `addWeight` for weights.
 * `apply` builds on first use and checks every input against the shape the layer was built for.
 */
import { Tensor } from '../tensor/tensor.js';
import { Variable } from '../tensor/variable.js';
import { getRegularizer, type RegularizerIdentifier, type Regularizer } from '../regularizers/index.js';
import { getInitializer, type InitializerIdentifier } from './initializers.js';
import { checkOptionNames } from './names.js';
import { showShape, type Shape } from './shape-types.js';
import { isSymbolic, SymbolicTensor, type LayerNode } from './symbolic.js';

/** Options every layer accepts (Keras/TensorFlow.js names). */
export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  /** Shape of one sample, without the batch dimension: makes this the model's first layer. */
  inputShape?: number[];
  /** Full input shape with the batch dimension (null when any size). */
  batchInputShape?: (number | null)[];
  /** Weight dtype: float32 (default) or float64 (used by gradient checks). */
  dtype?: 'float32' | 'float64';
}

/** A layer's serialized configuration (camelCase keys, as TensorFlow.js users know them). */
export type LayerConfig = Record<string, unknown>;

/** What `addWeight` takes (Keras's `add_weight` arguments). */
export interface WeightArgs {
  /** The weight's name within its layer, e.g. 'kernel' (the variable is named `layer/kernel`). */
  name: string;
  shape: number[];
  initializer: InitializerIdentifier;
  /** Updated by training (default true); false for state such as moving statistics. */
  trainable?: boolean;
  /** A penalty added to the training loss. */
  regularizer?: RegularizerIdentifier | null;
}

/** Per-call options: Dropout and BatchNormalization behave differently when training. */
export interface CallContext {
  training: boolean;
}

const nameCounts = new Map<string, number>();

/** Keras-style unique names: `dense`, `dense_1`, `dense_2`, … */
export function uniqueLayerName(prefix: string): string {
  const n = nameCounts.get(prefix) ?? 0;
  nameCounts.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** `MaxPooling2D` → `max_pooling2d`, as Keras names layers. */
export function snakeCase(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * Base class of all layers.
 *
 * @example
 * class Double extends Layer {
 *   readonly className = 'Double';
 *   call(x: Tensor) { return ops.mul(x, 2); }
 *   computeOutputShape(s: Shape) { return s; }
 * }
 */
export abstract class Layer {
  /** The Keras class name, e.g. 'Conv2D'; the registry rebuilds layers from it. */
  abstract readonly className: string;
  readonly name: string;
  built = false;
  /** Input shape given at construction (with null batch), if this layer starts a model. */
  readonly batchInputShape: Shape | null;
  readonly dtype: 'float32' | 'float64';
  private _trainable: boolean;
  private readonly _weights: Variable[] = [];
  /** Weights declared non-trainable (state such as moving statistics): never unfrozen. */
  private readonly stateWeights = new Set<Variable>();
  private readonly penalties = new Map<Variable, Regularizer>();
  private builtInputShapes: Shape[] | null = null;
  /** The applications of this layer to symbolic tensors, in order. */
  readonly inboundNodes: LayerNode[] = [];

  constructor(args: LayerArgs, prefix: string) {
    checkOptionNames(args, null, `Layer ${args?.name ?? prefix}`); // e.g. kernel_size: "did you mean kernelSize?"
    this.name = args.name ?? uniqueLayerName(prefix);
    this._trainable = args.trainable ?? true;
    this.dtype = args.dtype ?? 'float32';
    this.batchInputShape = args.batchInputShape ?? (args.inputShape ? [null, ...args.inputShape] : null);
    const dims = args.inputShape ?? args.batchInputShape?.slice(1);
    if (dims !== undefined && !(Array.isArray(dims) && dims.every((d) => d === null || (Number.isInteger(d) && d > 0)))) {
      throw new Error(
        `Layer "${this.name}": expected the input shape (inputShape, or input({ shape })) to be a list of positive integers ` +
          `(null for any size), one sample without the batch axis, received ${JSON.stringify(dims)}`,
      );
    }
  }

  /** Creates the weights for inputs of `inputShape`. Subclasses call super.build last. */
  build(inputShape: Shape): void {
    this.builtInputShapes = [[...inputShape]];
    this.built = true;
  }

  /** The computation, on a batch. */
  abstract call(x: Tensor, ctx: CallContext): Tensor;

  /** The output shape for an input shape (batch dimension null). */
  abstract computeOutputShape(inputShape: Shape): Shape;

  /** Builds for a list of input shapes; layers of several inputs (merge layers) override. */
  protected buildForInputs(shapes: Shape[]): void {
    this.expectInputCount(shapes.length);
    this.build(shapes[0]!);
  }

  /** Output shape for a list of input shapes; layers of several inputs override. */
  computeOutputShapeForInputs(shapes: Shape[]): Shape {
    this.expectInputCount(shapes.length);
    return this.computeOutputShape(shapes[0]!);
  }

  /** Runs the computation on a list of inputs; layers of several inputs override. */
  protected callInputs(inputs: Tensor[], ctx: CallContext): Tensor {
    this.expectInputCount(inputs.length);
    return this.call(inputs[0]!, ctx);
  }

  /** Remembers the shapes this layer was built for (for the input check). */
  protected markBuilt(shapes: Shape[]): void {
    this.builtInputShapes = shapes.map((s) => [...s]);
    this.built = true;
  }

  private expectInputCount(n: number): void {
    if (n !== 1) throw new Error(`Layer "${this.name}" (${this.className}) takes one input, received ${n}`);
  }

  /**
   * Runs the layer on a batch (building it on first use and checking the input shape), or, given
   * symbolic tensors, adds it to a functional model's graph.
   *
   * @example
   * const y = layers.dense({ units: 3 }).apply(x);            // x: Tensor → Tensor
   * const s = layers.dense({ units: 3 }).apply(input({ shape: [4] }));   // → SymbolicTensor
   */
  apply(x: Tensor | Tensor[], ctx?: CallContext): Tensor;
  apply(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor;
  apply(x: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], ctx: CallContext = { training: false }): Tensor | SymbolicTensor {
    if (isSymbolic(x)) return this.applySymbolic(Array.isArray(x) ? x : [x]);
    const inputs = (Array.isArray(x) ? x : [x]) as Tensor[];
    this.prepareInputs(inputs);
    return this.callInputs(inputs, ctx);
  }

  /**
   * Builds the layer on first use and checks each input against the shape it was built for
   * (apply's first step; the fused pairs in fusion.ts take it too).
   *
   * @example
   * conv.prepareInputs([x]);   // builds conv for x's shape, or throws naming the expected shape
   */
  prepareInputs(inputs: readonly Tensor[]): void {
    if (!this.built) this.buildForInputs(inputs.map((t) => [null, ...t.shape.slice(1)]));
    this.checkInputs(inputs.map((t) => t.shape));
  }

  private applySymbolic(inputs: SymbolicTensor[]): SymbolicTensor {
    const shapes = inputs.map((t) => t.shape);
    if (!this.built) this.buildForInputs(shapes);
    const expected = this.builtInputShapes;
    if (expected) {
      shapes.forEach((shape, i) => {
        const want = expected[i];
        const fits = want && shape.length === want.length && want.every((d, j) => d === null || shape[j] === null || d === shape[j]);
        if (!fits) {
          throw new Error(
            `Layer "${this.name}" (${this.className}): expected input of shape ${showShape(want ?? [])}, received ${showShape(shape)}`,
          );
        }
      });
    }
    const output = new SymbolicTensor(this.computeOutputShapeForInputs(shapes), `${this.name}/output_${this.inboundNodes.length}`);
    const node: LayerNode = { layer: this, inputs, output, index: this.inboundNodes.length };
    output.node = node;
    this.inboundNodes.push(node);
    return output;
  }

  /**
   * The output of this layer's first call on symbolic tensors, as Keras 3's `layer.output`: the
   * handle for cutting a model at a layer with the functional API.
   *
   * @example
   * const features = model({ inputs: base.inputs, outputs: base.getLayer('out_relu').output });
   */
  get output(): SymbolicTensor {
    const node = this.inboundNodes[0];
    if (!node) throw new Error(`Layer "${this.name}" (${this.className}) has never been called and thus has no defined output`);
    return node.output;
  }

  /** Throws if a batch of shape `shape` does not fit the (first) shape this layer was built for. */
  checkInput(shape: readonly number[]): void {
    this.checkInputs([shape]);
  }

  /** Throws if batches of these shapes do not fit the shapes this layer was built for. */
  checkInputs(shapes: readonly (readonly number[])[]): void {
    const expected = this.builtInputShapes;
    if (!expected) return;
    if (shapes.length !== expected.length) {
      throw new Error(`Layer "${this.name}" (${this.className}): expected ${expected.length} input(s), received ${shapes.length}`);
    }
    shapes.forEach((shape, i) => {
      const want = expected[i]!;
      const fits = shape.length === want.length && want.every((d, j) => d === null || d === shape[j]);
      if (!fits) {
        throw new Error(
          `Layer "${this.name}" (${this.className}): expected input of shape ${showShape(want)}, received ${showShape([...shape])}`,
        );
      }
    });
  }

  /**
   * Adds a weight of `shape` created by `initializer`, as Keras's `add_weight`: trainable unless
   * `trainable` is false (state such as moving statistics), penalised in the loss by `regularizer`.
   *
   * @example
   * this.kernel = this.addWeight({ name: 'kernel', shape: [inDim, units], initializer: 'glorotUniform', regularizer: 'l2' });
   */
  protected addWeight({ name, shape, initializer, trainable = true, regularizer = null }: WeightArgs): Variable {
    const init = getInitializer(initializer, `${this.name}.${name}`);
    const value = init.init(shape);
    const typed = this.dtype === 'float64' ? new Tensor(Float64Array.from(value.values()), shape) : value;
    const v = new Variable(typed, `${this.name}/${name}`, trainable && this._trainable);
    if (!trainable) this.stateWeights.add(v);
    const penalty = getRegularizer(regularizer, `${this.name}.${name} regularizer`);
    if (penalty) this.penalties.set(v, penalty);
    this._weights.push(v);
    return v;
  }

  /** The regularization penalties of this layer's trainable weights (scalars to add to the loss). */
  regularizationLosses(): Tensor[] {
    return [...this.penalties].filter(([w]) => w.trainable).map(([w, r]) => r.apply(w));
  }

  /** All weights, trainable first (Keras order within each group is creation order). */
  get weights(): Variable[] {
    return [...this.trainableWeights, ...this.nonTrainableWeights];
  }
  get trainableWeights(): Variable[] {
    return this._weights.filter((w) => w.trainable);
  }
  get nonTrainableWeights(): Variable[] {
    return this._weights.filter((w) => !w.trainable);
  }

  /** Whether the layer's weights are updated by training. Setting false freezes them. */
  get trainable(): boolean {
    return this._trainable;
  }
  set trainable(value: boolean) {
    this._trainable = value;
    for (const w of this._weights) w.setTrainable(value && !this.stateWeights.has(w));
  }

  /** Number of scalar weights. */
  countParams(): number {
    return this._weights.reduce((n, w) => n + w.size, 0);
  }

  /** Copies of the weight values, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => new Tensor(w.values().slice(), w.shape));
  }

  /** Sets weight values, in `weights` order, checking count and shapes. */
  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new Error(`Layer "${this.name}": expected ${ws.length} weight arrays, received ${values.length}`);
    }
    ws.forEach((w, i) => w.assign(values[i]!));
  }

  /** The layer's configuration; `layerFromConfig({className, config})` rebuilds it. */
  getConfig(): LayerConfig {
    const config: LayerConfig = { name: this.name, trainable: this._trainable, dtype: this.dtype };
    if (this.batchInputShape) config['batchInputShape'] = [...this.batchInputShape];
    return config;
  }
}
