/**
 * Pipeline (keras/src/layers/preprocessing/pipeline.py): applies a list of preprocessing layers
 * in order, as one layer. What it adds over calling them one by one is speed: while training, a
 * run of consecutive affine layers (RandomFlip, RandomRotation, RandomZoom, RandomTranslation)
 * becomes ONE warp per image, the product of the matrices each layer draws (drawn in the same
 * order, from the same generators, as the layers themselves would draw them).
 *
 * What composing changes: each pixel is interpolated once instead of once per layer (less blur),
 * and a point that a sequential chain would carry outside the image at an intermediate step and
 * back reads the real image instead of the fill. Elsewhere the two agree within interpolation
 * error (test/layers/pipeline.test.ts). Flips compose exactly (a mirror maps pixel centres onto
 * pixel centres and commutes with every fill mode), so they join any run; warps join a run only
 * when they sample alike (interpolation, fillMode, fillValue). `composeWarps: false` applies the
 * layers strictly one after the other. Like every layer here, its random layers act only while
 * training (inside `fit`, or `{ training: true }`), where Keras's `Pipeline.call` defaults to
 * training=True when called directly. A model holding one saves and loads in Convkit, but the
 * `.keras` writer (io/keras-config.ts) leaves the nested layers in Convkit's form, which Keras
 * cannot read yet.
 */
import { affineTransform } from '../../ops/image.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type CallContext, type LayerArgs, type LayerConfig } from '../layer.js';
import { layerFromConfig, registerLayer, serializeLayer, type SerializedLayer } from '../registry.js';
import type { Shape } from '../shape-types.js';
import type { WarpSampling } from './warp-layer.js';

/** A layer whose training-time effect is one affine warp per image. */
interface AffineAugmentation extends Layer {
  drawTransforms(batch: number, height: number, width: number): Float64Array;
  /** null for an exact permutation (a flip), which fits a warp of any sampling. */
  readonly warpOptions: WarpSampling | null;
}

function isAffine(layer: Layer): layer is AffineAugmentation {
  return typeof (layer as Partial<AffineAugmentation>).drawTransforms === 'function' && 'warpOptions' in layer;
}

const sameSampling = (a: WarpSampling, b: WarpSampling): boolean =>
  a.interpolation === b.interpolation && a.fillMode === b.fillMode && a.fillValue === b.fillValue;

/**
 * Per image, the matrix of warping by `first` and then by `second`: the output at p reads the
 * input at first(second(p)), so the product is first · second (3×3, from the 8 coefficients with
 * a trailing 1), scaled back to a trailing 1. Written into `first`.
 */
export function composeTransforms(first: Float64Array, second: Float64Array): Float64Array {
  for (let o = 0; o < first.length; o += 8) {
    const a0 = first[o]!,
      a1 = first[o + 1]!,
      a2 = first[o + 2]!;
    const b0 = first[o + 3]!,
      b1 = first[o + 4]!,
      b2 = first[o + 5]!;
    const c0 = first[o + 6]!,
      c1 = first[o + 7]!;
    const s = second.subarray(o, o + 8);
    const [p0, p1, p2, q0, q1, q2, r0, r1] = s as unknown as number[];
    const m = [
      a0 * p0! + a1 * q0! + a2 * r0!,
      a0 * p1! + a1 * q1! + a2 * r1!,
      a0 * p2! + a1 * q2! + a2,
      b0 * p0! + b1 * q0! + b2 * r0!,
      b0 * p1! + b1 * q1! + b2 * r1!,
      b0 * p2! + b1 * q2! + b2,
      c0 * p0! + c1 * q0! + r0!,
      c0 * p1! + c1 * q1! + r1!,
    ];
    const k = c0 * p2! + c1 * q2! + 1;
    for (let i = 0; i < 8; i++) first[o + i] = k === 1 ? m[i]! : m[i]! / k;
  }
  return first;
}

export interface PipelineArgs extends LayerArgs {
  /** The layers, in order (layer objects, or their `{ className, config }` when read from a config). */
  layers: (Layer | SerializedLayer)[];
  /** Run consecutive affine layers as one warp while training (default true). */
  composeWarps?: boolean;
}

/**
 * A list of preprocessing layers applied as one layer; consecutive flips, rotations, zooms and
 * translations run as one warp per image while training.
 *
 * @example
 * const augment = layers.pipeline([
 *   layers.randomRotation({ factor: 0.03, fillMode: 'constant', seed: 1 }),
 *   layers.randomZoom({ heightFactor: 0.1, fillMode: 'constant', seed: 2 }),
 *   layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, fillMode: 'constant', seed: 3 }),
 * ]);
 * const train = Dataset.fromArrays(x, y).batch(128).map(([xb, yb]) => [augment.apply(xb, { training: true }), yb] as const);
 */
export class Pipeline extends Layer {
  readonly className = 'Pipeline';
  readonly layers: Layer[];
  readonly composeWarps: boolean;

  constructor(args: PipelineArgs) {
    const { layers, composeWarps, ...rest } = args ?? ({} as PipelineArgs);
    super(rest, 'pipeline');
    if (!Array.isArray(layers))
      throw new Error(`Pipeline "${this.name}": expected layers to be an array of layers, received ${JSON.stringify(layers)}`);
    this.layers = layers.map((l, i) => {
      if (l instanceof Layer) return l;
      if (l && typeof l === 'object' && typeof (l as SerializedLayer).className === 'string') return layerFromConfig(l);
      throw new Error(`Pipeline "${this.name}": layers[${i}] is ${JSON.stringify(l)}, expected a layer or its { className, config }`);
    });
    this.composeWarps = composeWarps ?? true;
  }

  override build(inputShape: Shape): void {
    let shape = inputShape;
    for (const l of this.layers) {
      if (!l.built) l.build(shape);
      if (l.weights.length > 0)
        throw new Error(
          `Pipeline "${this.name}": layer "${l.name}" (${l.className}) has weights; a Pipeline holds preprocessing layers, put trainable layers in the model`,
        );
      shape = l.computeOutputShape(shape);
    }
    super.build(inputShape);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    let t = x;
    for (let i = 0; i < this.layers.length;) {
      const run = ctx.training && this.composeWarps ? this.affineRun(i) : null;
      if (!run) {
        t = this.layers[i]!.apply(t, ctx);
        i++;
        continue;
      }
      const [batch, h, w] = t.shape as [number, number, number];
      let m: Float64Array | null = null;
      for (const l of run.layers) {
        l.prepareInputs([t]);
        const drawn = l.drawTransforms(batch, h, w);
        m = m ? composeTransforms(m, drawn) : drawn;
      }
      t = affineTransform(t, m!, run.sampling);
      i += run.layers.length;
    }
    return t;
  }

  /** The longest run of two or more affine layers from `start` that sample alike, or null. */
  private affineRun(start: number): { layers: AffineAugmentation[]; sampling: WarpSampling } | null {
    const run: AffineAugmentation[] = [];
    let sampling: WarpSampling | null = null;
    for (let i = start; i < this.layers.length; i++) {
      const l = this.layers[i]!;
      if (!isAffine(l)) break;
      if (l.warpOptions) {
        if (sampling && !sameSampling(sampling, l.warpOptions)) break;
        sampling ??= l.warpOptions;
      }
      run.push(l);
    }
    if (run.length < 2) return null;
    // Flips alone: the flip's own exact sampling.
    return { layers: run, sampling: sampling ?? { interpolation: 'nearest', fillMode: 'nearest', fillValue: 0 } };
  }

  computeOutputShape(inputShape: Shape): Shape {
    return this.layers.reduce((s, l) => l.computeOutputShape(s), inputShape);
  }

  override getConfig(): LayerConfig {
    const config: LayerConfig = { ...super.getConfig(), layers: this.layers.map(serializeLayer) };
    if (!this.composeWarps) config['composeWarps'] = false; // Keras's Pipeline has no such argument: only when set
    return config;
  }
}

registerLayer('Pipeline', (config: PipelineArgs) => new Pipeline(config));
