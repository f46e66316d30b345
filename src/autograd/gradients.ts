/**
 * Reverse-mode differentiation over the tape: walks from the output back to the inputs in
 * reverse topological order, applying each primitive's rule from rules.ts and summing the
 * gradients of tensors used more than once. With `releaseExcept`, buffers go back to the pool as
 * soon as no rule still to run reads them (release.ts).
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { add } from '../ops/elementwise.js';
import { appliesInputRelu, gradientRules, type GradientRule } from './rules.js';
import type { OpName } from './rules.js';
import { BackwardRelease } from './release.js';
import { noGrad, type TapeNode, type TapeNodeOf } from './tape.js';

/** Tensors reachable from `root` through recorded nodes, inputs before the tensors using them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    stack.push([t, true]);
    for (const input of t.node?.inputs ?? []) if (input.requiresGrad && !visited.has(input)) stack.push([input, false]);
  }
  return order;
}

function applyRule<K extends OpName>(node: TapeNodeOf<K>, dy: Tensor, y: Tensor, dyMasked: boolean): (Tensor | null)[] {
  const rule: GradientRule<K> = gradientRules[node.op];
  return rule(
    dy,
    node.inputs,
    y,
    node.attrs,
    node.inputs.map((t) => t.requiresGrad),
    dyMasked,
  );
}

/**
 * Options of `gradients`.
 *
 * @example
 * gradients(y, [x], { dy: ones(y.shape) });
 */
export interface GradientOptions {
  /** dL/dy for a non-scalar y (defaults to ones). */
  dy?: Tensor;
  /**
   * Release as you go: each saved activation and each gradient goes back to the buffer pool once
   * no rule still to run reads it. Only for code that owns the step's buffers (fit): every
   * tensor the tape links to may be recycled except these, `xs`, their gradients and y. List
   * whatever is read afterwards (the model's outputs, the targets, the weights).
   */
  releaseExcept?: Iterable<Tensor>;
}

/**
 * Gradients of `y` with respect to each of `xs` (null for an x that `y` does not depend on).
 * `y` is usually a scalar loss; for a non-scalar y, pass `dy` (defaults to ones), either as the
 * third argument or as `{ dy }`.
 *
 * @example
 * const w = variable(tensor([2]));
 * const [dw] = gradients(mul(w, w), [w]);   // [4]
 * // In a training step that owns its buffers: intermediates are recycled during the pass.
 * const grads = gradients(loss, weights, { releaseExcept: [pred, yb] });
 */
export function gradients(y: Tensor, xs: readonly Tensor[], dyOrOptions?: Tensor | GradientOptions): (Tensor | null)[] {
  const options: GradientOptions = dyOrOptions instanceof Tensor ? { dy: dyOrOptions } : (dyOrOptions ?? {});
  const dy = options.dy;
  const seed = dy ?? new Tensor(y.dtype === 'float64' ? new Float64Array(y.size).fill(1) : new Float32Array(y.size).fill(1), y.shape);
  if (seed.size !== y.size) {
    throw new Error(`gradients: dy has shape ${formatShape(seed.shape)}, expected ${formatShape(y.shape)}`);
  }
  const grads = new Map<Tensor, Tensor>([[y, seed]]);
  // Tensors whose every gradient so far carries their relu's mask (see appliesInputRelu).
  const masked = new Set<Tensor>();
  const wanted = new Set(xs);
  const release = options.releaseExcept ? BackwardRelease.start([...options.releaseExcept, ...xs, y, seed]) : null;
  noGrad(() => {
    const order = topologicalOrder(y);
    release?.holdSaved(order);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const node: TapeNode | null = t.node;
      const g = grads.get(t);
      if (!node) continue;
      if (!g) {
        release?.dropSaved(t); // no gradient reached t: its rule never runs
        continue;
      }
      if (!wanted.has(t)) grads.delete(t); // free intermediate gradients as soon as they are used
      const run = (): (Tensor | null)[] => applyRule(node, g, t, masked.has(t));
      const inputGrads = release ? release.runRule(run) : run();
      const masks = appliesInputRelu(node);
      node.inputs.forEach((input, j) => {
        const gi = inputGrads[j];
        if (!gi || !input.requiresGrad) return;
        if (!input.node && !wanted.has(input)) return; // a leaf nobody asked for: nothing reads it
        release?.holdGradient(gi);
        const prev = grads.get(input);
        if (masks && (!prev || masked.has(input))) masked.add(input);
        else masked.delete(input);
        if (!prev) return void grads.set(input, gi);
        const total = add(prev, gi);
        release?.holdGradient(total);
        grads.set(input, total);
        release?.dropGradient(prev);
        release?.dropGradient(gi);
      });
      if (!wanted.has(t)) release?.dropGradient(g);
      release?.dropSaved(t);
    }
  });
  return xs.map((x) => grads.get(x) ?? null);
}
