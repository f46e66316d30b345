/**
 * Layers the importer needs where ONNX means something no Convkit layer computes: pooling with
 * ONNX's explicit pads and ceil mode, concatenation, arithmetic with a constant, and the
 * activations PyTorch exports with their own constants (Clip, HardSigmoid, HardSwish). Each is
 * composed of differentiable ops (so imported models train) and registered by class name (so they
 * save and load like any layer).
 */
import { noGrad } from '../../autograd/tape.js';
import * as ops from '../../ops/index.js';
import { Layer, type LayerArgs, type LayerConfig } from '../../layers/layer.js';
import { registerLayer } from '../../layers/registry.js';
import { showShape, type Shape } from '../../layers/shape-types.js';
import { Tensor } from '../../tensor/tensor.js';

export interface OnnxPool2DArgs extends LayerArgs {
  kind: 'max' | 'avg';
  poolSize: [number, number];
  strides: [number, number];
  /** [[top, bottom], [left, right]]: ONNX's explicit pads plus the ceil-mode extra at the end. */
  pads: [[number, number], [number, number]];
  /** Average pooling: the trailing pads that only ceil mode added (never counted). */
  ceilExtra?: [number, number];
  /** Average pooling: whether the explicit pads count in the divisor (ONNX count_include_pad). */
  countIncludePad?: boolean;
}

/** Per output position along one axis: window size / number of counted positions. */
function divisorScale(inSize: number, outSize: number, k: number, s: number, before: number, after: number, include: boolean): number[] {
  const [lo, hi] = include ? [-before, inSize + after] : [0, inSize];
  return Array.from({ length: outSize }, (_, o) => {
    const start = o * s - before;
    return k / (Math.min(start + k, hi) - Math.max(start, lo));
  });
}

/**
 * ONNX MaxPool/AveragePool on NHWC input with explicit (possibly asymmetric) pads. Max pooling
 * pads with the input's minimum, so a pad never wins a window that holds an input value;
 * average pooling pads with zeros and rescales each output by its window's counted positions.
 */
export class OnnxPool2D extends Layer {
  readonly className = 'OnnxPool2D';
  readonly args: Required<Omit<OnnxPool2DArgs, keyof LayerArgs>>;
  private scale: Tensor | null = null;

  constructor(args: OnnxPool2DArgs) {
    super(args, 'onnx_pool2d');
    this.args = { ceilExtra: [0, 0], countIncludePad: false, ...args };
  }

  computeOutputShape(s: Shape): Shape {
    const { poolSize, strides, pads } = this.args;
    const out = (d: number | null | undefined, i: 0 | 1) =>
      typeof d === 'number' ? Math.floor((d + pads[i][0] + pads[i][1] - poolSize[i]) / strides[i]) + 1 : null;
    return [s[0] ?? null, out(s[1], 0), out(s[2], 1), s[3] ?? null];
  }

  override build(inputShape: Shape): void {
    const [, h, w] = inputShape;
    if (typeof h !== 'number' || typeof w !== 'number')
      throw new Error(`OnnxPool2D "${this.name}": expected known height and width, received ${showShape(inputShape)}`);
    if (this.args.kind === 'avg') {
      const { poolSize: k, strides: st, pads, ceilExtra, countIncludePad } = this.args;
      const [, oh, ow] = this.computeOutputShape(inputShape) as number[];
      const rows = divisorScale(h, oh!, k[0], st[0], pads[0][0], pads[0][1] - ceilExtra[0], countIncludePad);
      const cols = divisorScale(w, ow!, k[1], st[1], pads[1][0], pads[1][1] - ceilExtra[1], countIncludePad);
      this.scale = new Tensor(Float32Array.from(rows.flatMap((r) => cols.map((c) => r * c))), [1, oh!, ow!, 1]);
    }
    super.build(inputShape);
  }

  call(x: Tensor): Tensor {
    const { kind, poolSize, strides, pads } = this.args;
    const paddings: [number, number][] = [[0, 0], pads[0], pads[1], [0, 0]];
    const padded = pads.flat().some((p) => p > 0);
    if (kind === 'max') {
      if (!padded) return ops.maxPool2d(x, { poolSize, strides, padding: 'valid' });
      const low = noGrad(() => ops.min(x)); // a constant: a pad never wins, so no gradient flows to it
      return ops.maxPool2d(ops.add(ops.pad(ops.sub(x, low), paddings), low), { poolSize, strides, padding: 'valid' });
    }
    const mean = ops.avgPool2d(padded ? ops.pad(x, paddings) : x, { poolSize, strides, padding: 'valid' });
    return padded
      ? ops.mul(mean, this.scale!.dtype === x.dtype ? this.scale! : new Tensor(Float64Array.from(this.scale!.values()), this.scale!.shape))
      : mean;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), ...this.args };
  }
}

/** Joins its inputs along `axis` (a Convkit axis, never the batch). */
export class OnnxConcat extends Layer {
  readonly className = 'OnnxConcat';
  readonly axis: number;
  constructor(args: LayerArgs & { axis: number }) {
    super(args, 'onnx_concat');
    this.axis = args.axis;
  }
  call(): Tensor {
    throw new Error(`OnnxConcat "${this.name}" takes a list of inputs`);
  }
  computeOutputShape(s: Shape): Shape {
    return s;
  }
  protected override buildForInputs(shapes: Shape[]): void {
    this.computeOutputShapeForInputs(shapes);
    this.markBuilt(shapes);
  }
  override computeOutputShapeForInputs(shapes: Shape[]): Shape {
    const first = shapes[0]!;
    const fits = shapes.every((s) => s.length === first.length && s.every((d, i) => i === this.axis || i === 0 || d === first[i]));
    if (!fits) throw new Error(`OnnxConcat "${this.name}": inputs ${shapes.map(showShape).join(', ')} differ outside axis ${this.axis}`);
    const total = shapes.reduce<number | null>((n, s) => (n === null || s[this.axis] === null ? null : n + s[this.axis]!), 0);
    return first.map((d, i) => (i === this.axis ? total : d));
  }
  protected override callInputs(inputs: Tensor[]): Tensor {
    return ops.concat(inputs, this.axis);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export type ConstantOp = 'add' | 'sub' | 'mul' | 'div';

/** `x op constant` (or `constant op x`), the constant broadcast NumPy-style; it is not trained. */
export class OnnxConstantOp extends Layer {
  readonly className = 'OnnxConstantOp';
  readonly op: ConstantOp;
  readonly constantFirst: boolean;
  readonly constant: Tensor;
  constructor(args: LayerArgs & { op: ConstantOp; values: number[]; shape: number[]; constantFirst?: boolean }) {
    super(args, 'onnx_constant_op');
    this.op = args.op;
    this.constantFirst = args.constantFirst ?? false;
    this.constant = new Tensor(Float32Array.from(args.values), args.shape);
  }
  call(x: Tensor): Tensor {
    const c = x.dtype === 'float64' ? new Tensor(Float64Array.from(this.constant.values()), this.constant.shape) : this.constant;
    return this.constantFirst ? ops[this.op](c, x) : ops[this.op](x, c);
  }
  computeOutputShape(s: Shape): Shape {
    const c = this.constant.shape;
    const rank = Math.max(s.length, c.length);
    return Array.from({ length: rank }, (_, i) => {
      const j = s.length - rank + i;
      const a = j < 0 ? 1 : s[j]!; // null: the batch (unknown) stays unknown
      const b = c[c.length - rank + i] ?? 1;
      return a === null ? null : Math.max(a, b);
    });
  }
  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      op: this.op,
      constantFirst: this.constantFirst,
      values: Array.from(this.constant.values()),
      shape: [...this.constant.shape],
    };
  }
}

export interface OnnxActivationArgs extends LayerArgs {
  fn: 'clip' | 'hardSigmoid' | 'hardSwish';
  min?: number;
  max?: number;
  alpha?: number;
  beta?: number;
}

/** ONNX's Clip(min, max), HardSigmoid(alpha, beta) = clip(alpha·x + beta, 0, 1), HardSwish = x·HardSigmoid(1/6, 1/2). */
export class OnnxActivation extends Layer {
  readonly className = 'OnnxActivation';
  readonly args: OnnxActivationArgs;
  constructor(args: OnnxActivationArgs) {
    super(args, 'onnx_activation');
    this.args = { fn: args.fn, min: args.min ?? -Infinity, max: args.max ?? Infinity, alpha: args.alpha ?? 0.2, beta: args.beta ?? 0.5 };
  }
  call(x: Tensor): Tensor {
    const clip = (v: Tensor, lo: number, hi: number) => ops.minimum(ops.maximum(v, lo), hi);
    const { fn, min, max, alpha, beta } = this.args;
    if (fn === 'clip') {
      // One pass per finite bound: after a conv's fused relu, Clip(0, 6) costs one minimum.
      const low = Number.isFinite(min) ? ops.maximum(x, min!) : x;
      return Number.isFinite(max) ? ops.minimum(low, max!) : low;
    }
    if (fn === 'hardSigmoid') return clip(ops.add(ops.mul(x, alpha!), beta!), 0, 1);
    return ops.mul(x, clip(ops.add(ops.mul(x, 1 / 6), 0.5), 0, 1));
  }
  computeOutputShape(s: Shape): Shape {
    return s;
  }
  override getConfig(): LayerConfig {
    const { fn, min, max, alpha, beta } = this.args;
    return { ...super.getConfig(), fn, min, max, alpha, beta };
  }
}

registerLayer('OnnxPool2D', (config: OnnxPool2DArgs) => new OnnxPool2D(config));
registerLayer('OnnxConcat', (config: LayerArgs & { axis: number }) => new OnnxConcat(config));
registerLayer('OnnxConstantOp', (config: ConstructorParameters<typeof OnnxConstantOp>[0]) => new OnnxConstantOp(config));
registerLayer('OnnxActivation', (config: OnnxActivationArgs) => new OnnxActivation(config));
