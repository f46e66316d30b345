/**
 * The tape: while gradients are recorded, every differentiable op links its output to its inputs.
 * The links live on the tensors themselves, so a graph that nothing references any more is
 * garbage-collected: no global list to clear, no dispose.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { OpAttrs, OpName } from './rules.js';

/** How a tensor was made: the primitive, its inputs and attributes. */
export interface TapeNodeOf<K extends OpName> {
  readonly op: K;
  readonly inputs: readonly Tensor[];
  readonly attrs: OpAttrs[K];
}

/** A tape node of any primitive (a union, so `op` narrows `attrs`). */
export type TapeNode = { [K in OpName]: TapeNodeOf<K> }[OpName];

let recording = true;
/** Told of every node recorded (src/autograd/release.ts notes what its rule will read); null: nobody. */
let onRecord: ((node: TapeNode, output: Tensor) => void) | null = null;

/**
 * Sets the function told of every node as it is recorded (null: none). A training step's release
 * session (src/autograd/release.ts) uses it to learn which buffers the backward pass will read.
 *
 * @example
 * setRecordListener((node, y) => console.log(node.op, y.shape));
 */
export function setRecordListener(listener: ((node: TapeNode, output: Tensor) => void) | null): void {
  onRecord = listener;
}

/** True while ops record gradient links. */
export function isRecording(): boolean {
  return recording;
}

/**
 * Runs `fn` without recording gradient links (evaluation, prediction, optimizer updates).
 *
 * @example
 * const y = noGrad(() => model.apply(x));   // y.node === null
 */
export function noGrad<T>(fn: () => T): T {
  const before = recording;
  recording = false;
  try {
    return fn();
  } finally {
    recording = before;
  }
}

/** Links `output` to its inputs if any input needs a gradient; returns `output`. */
export function record<K extends OpName>(op: K, inputs: readonly Tensor[], output: Tensor, attrs: OpAttrs[K]): Tensor {
  if (recording && inputs.some((t) => t.requiresGrad)) {
    output.requiresGrad = true;
    const node: TapeNodeOf<K> = { op, inputs, attrs };
    output.node = node as TapeNode;
    onRecord?.(output.node, output);
  }
  return output;
}

/**
 * True when `t` was recorded as the output of a relu: a relu op, addRelu, or an op with a fused
 * relu epilogue (conv2d, matmul, the batch norms). Ops that can use the relu's mask record it.
 *
 * @example
 * endsInRelu(ops.relu(x));   // true when x needs a gradient (the output is recorded)
 */
export function endsInRelu(t: Tensor): boolean {
  const node = t.node;
  if (!node) return false;
  switch (node.op) {
    case 'relu':
    case 'addRelu':
      return true;
    case 'conv2d':
    case 'matmul':
    case 'fusedBatchNorm':
    case 'batchNormInference':
      return node.attrs.activation === 'relu';
    default:
      return false;
  }
}
