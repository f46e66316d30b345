/**
 * Sequential: a plain stack of layers, each feeding the next. Built as soon as the first layer
 * knows its input shape (so `summary()` works before any data), else on first use.
 */
import { applyFusedRun } from '../layers/fusion.js';
import type { CallContext, Layer, LayerConfig } from '../layers/layer.js';
import { layerFromConfig, registerLayer, serializeLayer, type SerializedLayer } from '../layers/registry.js';
import type { Shape } from '../layers/shape-types.js';
import type { Tensor } from '../tensor/tensor.js';
import { freesActivations, releaseUnheld, stepScope } from './liveness.js';
import { Model } from './model.js';

export interface SequentialArgs {
  layers?: Layer[];
  name?: string;
}

/**
 * A linear stack of layers.
 *
 * @example
 * const model = new Sequential({ layers: [layers.dense({ units: 10, inputShape: [4] })] });
 * model.add(layers.activation({ activation: 'softmax' }));
 */
export class Sequential extends Model {
  readonly className = 'Sequential';
  private readonly stack: Layer[] = [];
  private shapes: Shape[] = [];
  private inputShape: Shape | null = null;

  constructor(args: SequentialArgs = {}) {
    super({ name: args.name }, 'sequential');
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Appends a layer; builds it at once when the input shape is known. */
  add(layer: Layer): void {
    if (this.stack.includes(layer)) throw new Error(`Sequential "${this.name}": layer "${layer.name}" was already added`);
    if (this.stack.length === 0 && layer.batchInputShape) this.inputShape = [...layer.batchInputShape];
    this.stack.push(layer);
    if (this.inputShape) this.buildLayers(this.inputShape);
  }

  /** Removes the last layer (e.g. to replace a classification head). */
  pop(): Layer {
    const layer = this.stack.pop();
    if (!layer) throw new Error(`Sequential "${this.name}": pop() on an empty model`);
    this.shapes.pop();
    return layer;
  }

  private buildLayers(inputShape: Shape): void {
    let shape = inputShape;
    this.shapes = this.stack.map((layer) => {
      if (!layer.built) layer.build(shape);
      shape = layer.computeOutputShape(shape);
      return shape;
    });
    this.built = true;
  }

  override build(inputShape: Shape): void {
    this.inputShape = [...inputShape];
    this.buildLayers(this.inputShape);
  }

  get layers(): Layer[] {
    return [...this.stack];
  }

  get outputShape(): Shape {
    if (!this.inputShape) throw new Error(`Sequential "${this.name}": the model is not built yet; give the first layer an inputShape`);
    return this.shapes[this.shapes.length - 1] ?? this.inputShape;
  }

  layerOutputShapes(): Shape[] {
    return this.shapes;
  }

  get inputShapes(): Shape[] | null {
    return this.inputShape ? [[...this.inputShape]] : null;
  }

  override checkInput(shape: readonly number[]): void {
    this.stack[0]?.checkInput(shape);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (this.stack.length === 0) throw new Error(`Sequential "${this.name}": the model has no layers`);
    // At inference each value is read once, by the next step, and dropped then (see liveness.ts);
    // the caller's x is the caller's to drop.
    const live = freesActivations(ctx);
    let y = x;
    for (let i = 0; i < this.stack.length; i++) {
      const layer = this.stack[i]!;
      const input = y;
      const step = (): Tensor => {
        const run = i + 1 < this.stack.length ? applyFusedRun(this.stack.slice(i, i + 8), input, ctx) : null;
        if (!run) return layer.apply(input, ctx);
        i += run.layers - 1;
        return run.y;
      };
      y = live ? stepScope(step) : step();
      if (live && input !== x) releaseUnheld([input], [y]);
    }
    return y;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return this.stack.reduce((shape, layer) => layer.computeOutputShape(shape), inputShape);
  }

  override getConfig(): LayerConfig {
    return { name: this.name, layers: this.stack.map(serializeLayer) };
  }

  /** Rebuilds a Sequential model from its config. */
  static fromConfig(config: LayerConfig): Sequential {
    const layers = ((config['layers'] as SerializedLayer[] | undefined) ?? []).map(layerFromConfig);
    return new Sequential({ name: config['name'] as string | undefined, layers });
  }
}

registerLayer('Sequential', (config: LayerConfig) => Sequential.fromConfig(config));

/**
 * Makes a Sequential model from a list of layers.
 *
 * @example
 * const model = sequential([
 *   layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
 *   layers.flatten(),
 *   layers.dense({ units: 10, activation: 'softmax' }),
 * ]);
 */
export function sequential(layersOrArgs: Layer[] | SequentialArgs = {}): Sequential {
  return new Sequential(Array.isArray(layersOrArgs) ? { layers: layersOrArgs } : layersOrArgs);
}
