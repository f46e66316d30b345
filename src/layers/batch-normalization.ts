/**
 * BatchNormalization as Keras does it: while training, normalise with the batch's mean and
 * biased variance and move the moving statistics towards them (moving = moving·momentum +
 * batch·(1 − momentum)); at inference (or when the layer is frozen), normalise with the moving
 * statistics. gamma and beta are trainable; movingMean and movingVariance are non-trainable
 * weights, so Keras's count of 4·C parameters, 2·C of them non-trainable, holds.
 */
import { noGrad } from '../autograd/tape.js';
import type { EpilogueActivation } from '../backends/kernels.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { normalizeAxis } from '../tensor/shape.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from './initializers.js';
import { Layer, type CallContext, type LayerArgs, type LayerConfig } from './layer.js';
import { registerLayer } from './registry.js';
import { showShape, type Shape } from './shape-types.js';

export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis, normalised per entry (default -1: channels of NHWC). */
  axis?: number;
  momentum?: number;
  epsilon?: number;
  /** Learn an offset beta. */
  center?: boolean;
  /** Learn a scale gamma. */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
}

/**
 * Normalises each feature over the batch (and spatial axes).
 *
 * @example
 * layers.batchNormalization();                       // after a conv2d, per channel
 * layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
 */
export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly inits: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', Initializer>;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 'batch_normalization');
    const where = `BatchNormalization "${this.name}"`;
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    if (!Number.isInteger(this.axis)) throw new Error(`${where}: expected axis to be an integer, received ${this.axis}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`${where}: expected momentum in [0, 1], received ${this.momentum}`);
    if (!(this.epsilon > 0)) throw new Error(`${where}: expected epsilon > 0, received ${this.epsilon}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.inits = {
      beta: getInitializer(args.betaInitializer ?? 'zeros', `${where} betaInitializer`),
      gamma: getInitializer(args.gammaInitializer ?? 'ones', `${where} gammaInitializer`),
      movingMean: getInitializer(args.movingMeanInitializer ?? 'zeros', `${where} movingMeanInitializer`),
      movingVariance: getInitializer(args.movingVarianceInitializer ?? 'ones', `${where} movingVarianceInitializer`),
    };
  }

  override build(inputShape: Shape): void {
    const where = `BatchNormalization "${this.name}"`;
    const axis = normalizeAxis(this.axis, inputShape.length, where);
    const features = inputShape[axis];
    if (axis === 0 || typeof features !== 'number') {
      throw new Error(`${where}: axis ${this.axis} must be a non-batch axis of known size, received input ${showShape(inputShape)}`);
    }
    if (this.scale) this.gamma = this.addWeight({ name: 'gamma', shape: [features], initializer: this.inits.gamma });
    if (this.center) this.beta = this.addWeight({ name: 'beta', shape: [features], initializer: this.inits.beta });
    this.movingMean = this.addWeight({ name: 'moving_mean', shape: [features], initializer: this.inits.movingMean, trainable: false });
    this.movingVariance = this.addWeight({
      name: 'moving_variance',
      shape: [features],
      initializer: this.inits.movingVariance,
      trainable: false,
    });
    super.build(inputShape);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    return this.callWithActivation(x, ctx, 'linear');
  }

  /**
   * The layer's output, then the activation, fused into the kernels (the fused pair
   * BatchNormalization → relu or relu6 in src/layers/fusion.ts calls this). relu6 is fused in
   * training (channels last); elsewhere it runs after the layer.
   *
   * @example
   * const y = norm.callWithActivation(x, { training: true }, 'relu');   // relu(batchNorm(x)), one op
   */
  callWithActivation(x: Tensor, ctx: CallContext, activation: EpilogueActivation): Tensor {
    const axis = normalizeAxis(this.axis, x.rank, this.name);
    // A frozen layer runs in inference mode even while the model trains, as in Keras 3.
    const training = ctx.training && this.trainable;
    if (training && axis === x.rank - 1) {
      // Channels last: one fused kernel for the statistics, the normalisation and the activation; one backward.
      const { y, mean, variance } = ops.fusedBatchNorm(x, this.gamma, this.beta, this.epsilon, activation);
      this.moveTowards(this.movingMean!, mean);
      this.moveTowards(this.movingVariance!, variance);
      return y;
    }
    // Per-feature vectors [C] viewed as [1, …, C, …, 1] so they broadcast along `axis`.
    const view = x.shape.map((d, i) => (i === axis ? d : 1));
    const asView = (t: Tensor | null): Tensor | null => (t ? ops.reshape(t, view) : null);
    const [gamma, beta] = [asView(this.gamma), asView(this.beta)];
    const fused = activation === 'relu6' ? 'linear' : activation;
    let y: Tensor;
    if (!training) {
      y = ops.batchNormalization(x, asView(this.movingMean)!, asView(this.movingVariance)!, beta, gamma, this.epsilon, fused);
    } else {
      const reduced = [...x.shape.keys()].filter((i) => i !== axis);
      const { mean, variance } = ops.moments(x, reduced, true);
      noGrad(() => {
        this.moveTowards(this.movingMean!, mean);
        this.moveTowards(this.movingVariance!, variance);
      });
      y = ops.batchNormalization(x, mean, variance, beta, gamma, this.epsilon, fused);
    }
    return activation === 'relu6' ? ops.relu6(y) : y;
  }

  /** moving ← moving·momentum + batch·(1 − momentum), in place. */
  private moveTowards(moving: Variable, batch: Tensor): void {
    ops.assignMovingAverage(moving, batch, this.momentum);
    moving.markWritten();
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.inits.beta),
      gammaInitializer: serializeInitializer(this.inits.gamma),
      movingMeanInitializer: serializeInitializer(this.inits.movingMean),
      movingVarianceInitializer: serializeInitializer(this.inits.movingVariance),
    };
  }
}

registerLayer('BatchNormalization', (config: BatchNormalizationArgs) => new BatchNormalization(config));
