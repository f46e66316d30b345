/**
 * The importer's state while it walks an ONNX graph: every ONNX value is either a Convkit
 * symbolic tensor with a layout (which Convkit axis holds each ONNX axis: a rank-4 activation
 * NCHW in ONNX is NHWC in Convkit, layout [0, 3, 1, 2]) or a constant (weights, and the shape
 * arithmetic PyTorch emits, folded here; `null` stands for the batch size, unknown until run time).
 */
import { Permute } from '../../layers/permute.js';
import type { Layer } from '../../layers/layer.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import { AttrType, type AttributeProto, type NodeProto } from './proto.js';
import { decodeTensor, toFloats, type ArrayValue } from './tensors.js';

export const NCHW_LAYOUT = [0, 3, 1, 2];
export const identity = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);

export interface TensorValue {
  kind: 'tensor';
  t: SymbolicTensor;
  /** layout[i]: the Convkit axis of ONNX axis i. */
  layout: number[];
  /** Known to be ≥ 0 (after a relu): max pooling may then pad with zeros. */
  nonNegative?: boolean;
}

export interface ConstValue {
  kind: 'const';
  dims: number[];
  /** Floats, or integers where null is the (unknown) batch size. */
  data: Float32Array | (number | null)[];
}

export type OnnxValue = TensorValue | ConstValue;

/** A node's attributes, read with defaults and checked types. */
export class Attrs {
  private readonly byName = new Map<string, AttributeProto>();
  constructor(
    node: NodeProto,
    private readonly where: string,
  ) {
    for (const a of node.attribute ?? []) this.byName.set(a.name, a);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? Number(a.i ?? 0) : fallback;
  }
  ints(name: string, fallback: number[]): number[] {
    const a = this.byName.get(name);
    return a ? (a.ints ?? []).map(Number) : fallback;
  }
  floats(name: string, fallback: number[]): number[] {
    const a = this.byName.get(name);
    return a ? (a.floats ?? []) : fallback;
  }
  float(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? (a.f ?? 0) : fallback;
  }
  string(name: string, fallback: string): string {
    const a = this.byName.get(name);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : fallback;
  }
  tensor(name: string): ArrayValue | null {
    const a = this.byName.get(name);
    if (!a) return null;
    if (a.type !== AttrType.TENSOR || !a.t) throw new Error(`${this.where}: attribute ${name} should hold a tensor`);
    return decodeTensor(a.t, this.where);
  }
}

/** The walk's state: values by ONNX name, and how nodes are named in errors. */
export class ImportContext {
  readonly values = new Map<string, OnnxValue>();
  /** How many nodes read each value (MatMul + Add fuse only when the Add is the sole reader). */
  readonly readers = new Map<string, NodeProto[]>();
  /** Values a handler already consumed on behalf of a later node (fused). */
  readonly fusedAway = new Set<NodeProto>();
  /** The graph input's batch size when the file fixes it (a reshape to [1, -1] then keeps the batch). */
  fixedBatch: number | null = null;

  constructor(
    readonly file: string,
    readonly opset: number,
  ) {}

  where(node: NodeProto): string {
    return `${this.file}: node "${node.name || node.output?.[0] || '?'}" (${node.op_type})`;
  }

  get(name: string, node: NodeProto): OnnxValue {
    const v = this.values.get(name);
    if (!v) throw new Error(`${this.where(node)}: input "${name}" is not produced by any earlier node, initializer or graph input`);
    return v;
  }

  /** Input `i` as a tensor (an activation), or a clear error. */
  tensor(node: NodeProto, i = 0): TensorValue {
    const v = this.get(node.input![i]!, node);
    if (v.kind !== 'tensor')
      throw new Error(`${this.where(node)}: input ${i} ("${node.input![i]}") is a constant; Convkit expects an activation there`);
    return v;
  }

  /** Input `i` as a constant (weights, shapes), or null when the input is absent (optional). */
  constant(node: NodeProto, i: number): ConstValue | null {
    const name = node.input?.[i];
    if (!name) return null;
    const v = this.get(name, node);
    if (v.kind !== 'const')
      throw new Error(
        `${this.where(node)}: input ${i} ("${name}") must be a constant (an initializer or folded shape), but it is computed from the graph input`,
      );
    return v;
  }

  /** Constant input `i` as floats. */
  floats(node: NodeProto, i: number): Float32Array | null {
    const c = this.constant(node, i);
    return c ? toFloats(c.data) : null;
  }

  /** Constant input `i` as integers (null: the batch size). */
  ints(node: NodeProto, i: number): (number | null)[] | null {
    const c = this.constant(node, i);
    return c ? Array.from(c.data as ArrayLike<number | null>) : null;
  }

  set(node: NodeProto, value: OnnxValue, output = 0): void {
    this.values.set(node.output![output]!, value);
  }

  /** Applies `layer` to the tensors and records the result as the node's output. */
  apply(node: NodeProto, layer: Layer, inputs: TensorValue[], layout: number[], nonNegative = false): TensorValue {
    const t = layer.apply(inputs.length === 1 ? inputs[0]!.t : inputs.map((v) => v.t));
    const value: TensorValue = { kind: 'tensor', t, layout, nonNegative };
    this.set(node, value);
    return value;
  }
}

/** `v` with ONNX axis i on Convkit axis `layout[i]` (a Permute when it is elsewhere). */
export function withLayout(v: TensorValue, layout: number[], where: string): TensorValue {
  if (v.layout.every((a, i) => a === layout[i])) return v;
  // Output Convkit axis layout[i] takes input Convkit axis v.layout[i].
  const perm = new Array<number>(layout.length);
  layout.forEach((a, i) => (perm[a] = v.layout[i]!));
  if (perm[0] !== 0) throw new Error(`${where}: moving the batch axis is not supported`);
  const t = new Permute({ dims: perm.slice(1) }).apply(v.t);
  return { kind: 'tensor', t, layout: [...layout], nonNegative: v.nonNegative };
}

/** The ONNX dims of a tensor value (null for the batch and any unknown size). */
export function onnxDims(v: TensorValue): (number | null)[] {
  return v.layout.map((a) => v.t.shape[a] ?? null);
}
