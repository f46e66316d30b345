/**
 * Weight regularizers (Keras names): penalties on a weight added to the training loss.
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** A penalty on one weight: a scalar tensor added to the loss. */
export interface Regularizer {
  readonly className: string;
  apply(weight: Tensor): Tensor;
  getConfig(): Record<string, unknown>;
}

class L1L2 implements Regularizer {
  readonly className: string;
  constructor(
    readonly l1: number,
    readonly l2: number,
    className = 'L1L2',
  ) {
    if (!(l1 >= 0 && l2 >= 0)) throw new Error(`${className}: expected non-negative factors, received l1=${l1}, l2=${l2}`);
    this.className = className;
  }
  apply(w: Tensor): Tensor {
    const l1 = this.l1 > 0 ? ops.mul(ops.sum(ops.abs(w)), this.l1) : null;
    const l2 = this.l2 > 0 ? ops.mul(ops.sum(ops.square(w)), this.l2) : null;
    if (l1 && l2) return ops.add(l1, l2);
    return l1 ?? l2 ?? ops.mul(ops.sum(w), 0);
  }
  getConfig(): Record<string, unknown> {
    if (this.className === 'L1') return { l1: this.l1 };
    if (this.className === 'L2') return { l2: this.l2 };
    return { l1: this.l1, l2: this.l2 };
  }
}

/**
 * Regularizer factories (Keras defaults: 0.01).
 *
 * @example
 * layers.dense({ units: 64, kernelRegularizer: regularizers.l2(1e-4) });
 */
export const regularizers = {
  l1: (l1 = 0.01): Regularizer => new L1L2(l1, 0, 'L1'),
  l2: (l2 = 0.01): Regularizer => new L1L2(0, l2, 'L2'),
  l1l2: ({ l1 = 0, l2 = 0 }: { l1?: number; l2?: number } = {}): Regularizer => new L1L2(l1, l2, 'L1L2'),
};

/** What layer options accept: a regularizer, a name ('l1', 'l2', 'l1l2'), or `{className, config}`. */
export type RegularizerIdentifier = Regularizer | 'l1' | 'l2' | 'l1l2' | { className: string; config?: Record<string, unknown> };

/** Resolves an identifier; `where` names the layer option for errors. */
export function getRegularizer(id: RegularizerIdentifier | null | undefined, where: string): Regularizer | null {
  if (id === null || id === undefined) return null;
  if (typeof id === 'string') {
    if (id === 'l1') return regularizers.l1();
    if (id === 'l2') return regularizers.l2();
    if (id === 'l1l2') return regularizers.l1l2();
    throw new Error(`${where}: unknown regularizer '${id}'; expected l1, l2 or l1l2`);
  }
  if ('apply' in id) return id;
  const c = id.config ?? {};
  if (id.className === 'L1') return regularizers.l1(Number(c['l1'] ?? 0.01));
  if (id.className === 'L2') return regularizers.l2(Number(c['l2'] ?? 0.01));
  if (id.className === 'L1L2') return regularizers.l1l2({ l1: Number(c['l1'] ?? 0), l2: Number(c['l2'] ?? 0) });
  throw new Error(`${where}: unknown regularizer class '${id.className}'; expected L1, L2 or L1L2`);
}

/** `{className, config}` of a regularizer, or null. */
export function serializeRegularizer(r: Regularizer | null): { className: string; config: Record<string, unknown> } | null {
  return r ? { className: r.className, config: r.getConfig() } : null;
}
