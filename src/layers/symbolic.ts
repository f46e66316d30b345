/**
 * Symbolic tensors: placeholders with a shape (null batch) that record which layer made them
 * from which inputs. Applying layers to them builds the graph of a functional model.
 */
import type { Layer } from './layer.js';
import type { Shape } from './shape-types.js';

/** One application of a layer: its symbolic inputs and output. */
export interface LayerNode {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly output: SymbolicTensor;
  /** Position of this node in `layer.inboundNodes` (a layer applied twice has two nodes). */
  readonly index: number;
}

/**
 * The output of a layer applied to symbolic inputs, e.g. `input({ shape: [28, 28, 1] })`.
 *
 * @example
 * const x = input({ shape: [32, 32, 3] });
 * const y = layers.conv2d({ filters: 8, kernelSize: 3 }).apply(x);
 * y.shape;   // [null, 30, 30, 8]
 */
export class SymbolicTensor {
  /** Set once, by the layer application that produced this tensor. */
  node: LayerNode | null = null;
  constructor(
    readonly shape: Shape,
    readonly name: string,
  ) {}

  /** The layer that produced this tensor. */
  get sourceLayer(): Layer {
    if (!this.node) throw new Error(`SymbolicTensor "${this.name}" was not produced by a layer`);
    return this.node.layer;
  }
}

/** True for a symbolic tensor or a non-empty list of them. */
export function isSymbolic(x: unknown): x is SymbolicTensor | SymbolicTensor[] {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof SymbolicTensor));
}
