/**
 * Reverse-mode differentiation over the tape: walks from the output back to the inputs in
 * reverse topological order, applying each primitive's rule from rules.ts and summing the
 * gradients of tensors used more than once.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { add } from '../ops/elementwise.js';
import { appliesInputRelu, gradientRules, type GradientRule } from './rules.js';
import type { OpName } from './rules.js';
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
 * Gradients of `y` with respect to each of `xs` (null for an x that `y` does not depend on).
 * `y` is usually a scalar loss; for a non-scalar y, pass `dy` (defaults to ones).
 *
 * @example
 * const w = variable(tensor([2]));
 * const [dw] = gradients(mul(w, w), [w]);   // [4]
 */
export function gradients(y: Tensor, xs: readonly Tensor[], dy?: Tensor): (Tensor | null)[] {
  const seed = dy ?? new Tensor(y.dtype === 'float64' ? new Float64Array(y.size).fill(1) : new Float32Array(y.size).fill(1), y.shape);
  if (seed.size !== y.size) {
    throw new Error(`gradients: dy has shape ${formatShape(seed.shape)}, expected ${formatShape(y.shape)}`);
  }
  const grads = new Map<Tensor, Tensor>([[y, seed]]);
  // Tensors whose every gradient so far carries their relu's mask (see appliesInputRelu).
  const masked = new Set<Tensor>();
  const wanted = new Set(xs);
  noGrad(() => {
    const order = topologicalOrder(y);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const node: TapeNode | null = t.node;
      const g = grads.get(t);
      if (!node || !g) continue;
      if (!wanted.has(t)) grads.delete(t); // free intermediate gradients as soon as they are used
      const inputGrads = applyRule(node, g, t, masked.has(t));
      const masks = appliesInputRelu(node);
      node.inputs.forEach((input, j) => {
        const gi = inputGrads[j];
        if (!gi || !input.requiresGrad) return;
        const prev = grads.get(input);
        if (masks && (!prev || masked.has(input))) masked.add(input);
        else masked.delete(input);
        grads.set(input, prev ? add(prev, gi) : gi);
      });
    }
  });
  return xs.map((x) => grads.get(x) ?? null);
}
