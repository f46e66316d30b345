/**
 * Optimizer base: keeps per-variable slots (momentum, moments), counts iterations, resolves the
 * learning rate (a number or a schedule of the step), clips gradients and applies decoupled
 * weight decay (both as Keras 3, in the base so every optimizer has them), and updates variables
 * in place.
 */
import type { FloatArray } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';

/** A learning rate that depends on the step (0-based iteration count). */
export type LearningRateSchedule = (step: number) => number;

export interface OptimizerArgs {
  learningRate?: number | LearningRateSchedule;
  /** Clips each variable's gradient to this L2 norm (Keras `clipnorm`). */
  clipNorm?: number;
  /** Scales all gradients together so their joint L2 norm is at most this (Keras `global_clipnorm`). */
  globalClipNorm?: number;
  /** Clips each gradient element to [-clipValue, clipValue] (Keras `clipvalue`). */
  clipValue?: number;
  /** Decoupled weight decay: before each update, w -= lr · weightDecay · w (Keras `weight_decay`). */
  weightDecay?: number;
}

function checkPositive(value: number | undefined, name: string, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${where}: expected ${name} to be a positive number, received ${value}`);
  return value;
}

/**
 * Base class of optimizers.
 *
 * @example
 * const opt = optimizers.adam({ learningRate: 1e-3, globalClipNorm: 1 });
 * opt.applyGradients([[weight, grad]]);
 */
export abstract class Optimizer {
  abstract readonly className: string;
  /** Steps taken so far. */
  iterations = 0;
  learningRate: number | LearningRateSchedule;
  readonly clipNorm: number | null;
  readonly globalClipNorm: number | null;
  readonly clipValue: number | null;
  readonly weightDecay: number | null;
  private readonly slots = new Map<Variable, FloatArray[]>();

  constructor(args: OptimizerArgs, defaultLearningRate: number) {
    const where = new.target.name.toLowerCase();
    this.learningRate = args.learningRate ?? defaultLearningRate;
    this.clipNorm = checkPositive(args.clipNorm, 'clipNorm', where);
    this.globalClipNorm = checkPositive(args.globalClipNorm, 'globalClipNorm', where);
    this.clipValue = checkPositive(args.clipValue, 'clipValue', where);
    const set = (['clipNorm', 'globalClipNorm', 'clipValue'] as const).filter((k) => this[k] !== null);
    if (set.length > 1)
      throw new Error(`${where}: expected at most one of clipNorm, globalClipNorm and clipValue, received ${set.join(' and ')}`);
    const wd = args.weightDecay;
    if (wd !== undefined && wd !== null && !(wd >= 0 && Number.isFinite(wd)))
      throw new Error(`${where}: expected weightDecay to be a non-negative number, received ${wd}`);
    this.weightDecay = wd ?? null;
  }

  /** The learning rate for the current step. */
  currentLearningRate(): number {
    return typeof this.learningRate === 'number' ? this.learningRate : this.learningRate(this.iterations);
  }

  /** One step: clips the gradients, applies weight decay, then updates each variable in place. */
  applyGradients(pairs: readonly (readonly [Variable, Tensor])[]): void {
    const lr = this.currentLearningRate();
    const grads = this.clipGradients(pairs.map(([, g]) => g));
    this.iterations++;
    pairs.forEach(([v], i) => {
      const w = v.data as FloatArray;
      if (this.weightDecay) kernels().decayWeights(w, lr * this.weightDecay);
      this.update(w, grads[i]!, lr, (count, fill) => this.slotsFor(v, count, fill));
      v.markWritten();
    });
  }

  /**
   * Updates one variable; `slots(n, fill)` returns n state buffers for it, created filled with
   * `fill` (default 0) on first use.
   */
  protected abstract update(param: FloatArray, grad: FloatArray, lr: number, slots: (count: number, fill?: number) => FloatArray[]): void;

  /**
   * Keras's clipping, one rule at most; clipped gradients are host copies (read through
   * `values()`), the caller's stay untouched. Without clipping, the backend's buffers go through.
   */
  private clipGradients(tensors: readonly Tensor[]): FloatArray[] {
    const noClipping = this.clipNorm === null && this.globalClipNorm === null && this.clipValue === null;
    if (noClipping) return tensors.map((t) => t.data as FloatArray);
    const grads = tensors.map((t) => t.values() as FloatArray);
    const norm = (g: FloatArray) => {
      let sum = 0;
      for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
      return Math.sqrt(sum);
    };
    const scaled = (g: FloatArray, k: number) => (k === 1 ? g : g.map((x: number) => x * k));
    if (this.clipNorm !== null) {
      const c = this.clipNorm;
      return grads.map((g) => scaled(g, c / Math.max(norm(g), c)));
    }
    if (this.globalClipNorm !== null) {
      const c = this.globalClipNorm;
      const total = Math.sqrt(grads.reduce((s, g) => s + norm(g) ** 2, 0));
      return grads.map((g) => scaled(g, c / Math.max(total, c)));
    }
    if (this.clipValue !== null) {
      const c = this.clipValue;
      return grads.map((g) => g.map((x: number) => Math.min(c, Math.max(-c, x))));
    }
    return grads;
  }

  /** A variable's state buffers (momentum, moments…), or undefined before its first step; for saving. */
  getSlots(v: Variable): readonly FloatArray[] | undefined {
    return this.slots.get(v);
  }

  /** Restores a variable's state buffers (loading a saved model; `update` then continues from them). */
  setSlots(v: Variable, values: FloatArray[]): void {
    this.slots.set(v, values);
  }

  private slotsFor(v: Variable, count: number, fill = 0): FloatArray[] {
    let s = this.slots.get(v);
    if (!s) {
      const make = () => (v.data instanceof Float64Array ? new Float64Array(v.size) : new Float32Array(v.size)).fill(fill);
      s = Array.from({ length: count }, make);
      this.slots.set(v, s);
    }
    return s;
  }

  /** Keras-style configuration; a schedule with `getConfig` is saved as `{className, config}`. */
  getConfig(): Record<string, unknown> {
    const lr = this.learningRate;
    const schedule = lr as Partial<{ className: string; getConfig: () => Record<string, unknown> }>;
    const learningRate =
      typeof lr === 'number' ? lr : schedule.getConfig ? { className: schedule.className, config: schedule.getConfig() } : 'schedule';
    const config: Record<string, unknown> = { name: this.className.toLowerCase(), learningRate };
    for (const key of ['weightDecay', 'clipNorm', 'globalClipNorm', 'clipValue'] as const) if (this[key] !== null) config[key] = this[key];
    return config;
  }
}
