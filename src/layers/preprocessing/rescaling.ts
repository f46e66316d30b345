/**
 * Rescaling (keras/src/layers/preprocessing/rescaling.py): x·scale + offset, in training and
 * inference alike (e.g. [0, 255] pixels to [0, 1] or [−1, 1]).
 */
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from '../layer.js';
import { registerLayer } from '../registry.js';
import type { Shape } from '../shape-types.js';

export interface RescalingArgs extends LayerArgs {
  scale: number;
  /** Added after scaling (default 0). */
  offset?: number;
}

/**
 * Multiplies the input by `scale` and adds `offset`.
 *
 * @example
 * layers.rescaling({ scale: 1 / 255 });
 * layers.rescaling({ scale: 1 / 127.5, offset: -1 });
 */
export class Rescaling extends Layer {
  readonly className = 'Rescaling';
  readonly scale: number;
  readonly offset: number;

  constructor(args: RescalingArgs) {
    super(args, 'rescaling');
    this.scale = args.scale;
    this.offset = args.offset ?? 0;
    for (const [k, v] of [
      ['scale', this.scale],
      ['offset', this.offset],
    ] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`Rescaling "${this.name}": expected ${k} to be a finite number, received ${JSON.stringify(v)}`);
    }
  }

  call(x: Tensor): Tensor {
    const scaled = this.scale === 1 ? x : ops.mul(x, this.scale);
    return this.offset === 0 ? scaled : ops.add(scaled, this.offset);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}

registerLayer('Rescaling', (config: RescalingArgs) => new Rescaling(config));
