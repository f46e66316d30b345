/**
 * InputLayer and `input()`: the entry points of a functional model's graph.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import type { Shape } from './shape-types.js';
import { SymbolicTensor } from './symbolic.js';

export interface InputArgs {
  /** Shape of one sample, without the batch dimension. */
  shape?: number[];
  /** Full shape with the batch dimension (null for any batch size). */
  batchShape?: (number | null)[];
  name?: string;
  dtype?: 'float32' | 'float64';
}

/** The layer behind `input()`: passes its input through. */
export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  readonly batchShape: Shape;

  constructor(args: InputArgs) {
    const batchShape = args.batchShape ?? (args.shape ? [null, ...args.shape] : null);
    if (!batchShape) throw new Error('input: expected `shape` (one sample, without the batch dimension) or `batchShape`');
    super({ name: args.name, batchInputShape: batchShape, dtype: args.dtype }, 'input_layer');
    this.batchShape = batchShape;
    this.markBuilt([batchShape]);
  }

  call(x: Tensor): Tensor {
    return x;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): LayerConfig {
    return { name: this.name, batchShape: [...this.batchShape], dtype: this.dtype };
  }
}

registerLayer('InputLayer', (config: InputArgs) => new InputLayer(config));

/**
 * A symbolic input of a functional model.
 *
 * @example
 * const x = input({ shape: [28, 28, 1] });
 * const y = layers.flatten().apply(x);
 * const m = model({ inputs: x, outputs: layers.dense({ units: 10 }).apply(y) });
 */
export function input(args: InputArgs): SymbolicTensor {
  return symbolicInput(new InputLayer(args));
}

/** The symbolic tensor an InputLayer feeds into the graph (made once per layer). */
export function symbolicInput(layer: InputLayer): SymbolicTensor {
  const existing = layer.inboundNodes[0];
  if (existing) return existing.output;
  const output = new SymbolicTensor(layer.batchShape, layer.name);
  const node = { layer, inputs: [], output, index: 0 };
  output.node = node;
  layer.inboundNodes.push(node);
  return output;
}
