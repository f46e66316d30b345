/**
 * GraphBuilder: collects ONNX nodes and initializers with unique value names, and the typed
 * attribute constructors (an ONNX attribute must say whether 1 is an int or a float).
 */
import { AttrType, type AttributeProto, type NodeProto, type TensorProto } from './proto.js';
import { floatTensor, int64Tensor } from './tensors.js';

export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: AttrType.INT, i }),
  ints: (name: string, ints: readonly number[]): AttributeProto => ({ name, type: AttrType.INTS, ints: [...ints] }),
  float: (name: string, f: number): AttributeProto => ({ name, type: AttrType.FLOAT, f }),
  string: (name: string, s: string): AttributeProto => ({ name, type: AttrType.STRING, s: new TextEncoder().encode(s) }),
};

/** Nodes and initializers of one graph under construction. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** `base`, or `base_1`, `base_2`... if taken. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a float initializer; returns its name. */
  floats(base: string, data: ArrayLike<number>, dims: readonly number[]): string {
    const name = this.unique(base);
    this.initializers.push(floatTensor(name, data, dims));
    return name;
  }

  /** Adds an int64 initializer (a shape, axes, pads); returns its name. */
  int64s(base: string, data: readonly number[]): string {
    const name = this.unique(base);
    this.initializers.push(int64Tensor(name, data));
    return name;
  }

  /** Adds a node with one output, named after `base`; returns the output's name. */
  node(opType: string, inputs: readonly string[], base: string, attributes: AttributeProto[] = []): string {
    const output = this.unique(base);
    this.nodes.push({ op_type: opType, input: [...inputs], output: [output], name: output, attribute: attributes });
    return output;
  }
}
