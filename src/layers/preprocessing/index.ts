/**
 * Image augmentation and preprocessing layers with Keras 3's names, arguments and defaults.
 * Random layers act only while training (inside `fit`, or called with `{ training: true }`),
 * draw from their own generator when given a `seed`, and are saved with the model.
 */
export { CenterCrop, RandomCrop, type CropArgs, type RandomCropArgs } from './crop.js';
export { composeTransforms, Pipeline, type PipelineArgs } from './pipeline.js';
export { RandomBrightness, RandomContrast, type ColorLayerArgs } from './random-color.js';
export { RandomFlip, type FlipMode, type RandomFlipArgs } from './random-flip.js';
export { RandomRotation, type RandomRotationArgs } from './random-rotation.js';
export { RandomTranslation, type RandomTranslationArgs } from './random-translation.js';
export { RandomZoom, type RandomZoomArgs } from './random-zoom.js';
export { Rescaling, type RescalingArgs } from './rescaling.js';
export { Resizing, resizeToAspect, type ResizingArgs } from './resizing.js';
export type { Factor } from './base.js';
export type { WarpLayerArgs } from './warp-layer.js';

import { CenterCrop, RandomCrop, type CropArgs, type RandomCropArgs } from './crop.js';
import type { Layer } from '../layer.js';
import { Pipeline, type PipelineArgs } from './pipeline.js';
import { RandomBrightness, RandomContrast, type ColorLayerArgs } from './random-color.js';
import { RandomFlip, type RandomFlipArgs } from './random-flip.js';
import { RandomRotation, type RandomRotationArgs } from './random-rotation.js';
import { RandomTranslation, type RandomTranslationArgs } from './random-translation.js';
import { RandomZoom, type RandomZoomArgs } from './random-zoom.js';
import { Rescaling, type RescalingArgs } from './rescaling.js';
import { Resizing, type ResizingArgs } from './resizing.js';

/**
 * Factories of the preprocessing layers (spread into `layers`).
 *
 * @example
 * const augment = sequential([
 *   layers.randomFlip({ mode: 'horizontal' }),
 *   layers.randomRotation({ factor: 0.1 }),
 *   layers.randomZoom({ heightFactor: 0.1 }),
 * ]);
 */
export const preprocessingLayers = {
  randomFlip: (args: RandomFlipArgs = {}) => new RandomFlip(args),
  randomRotation: (args: RandomRotationArgs) => new RandomRotation(args),
  randomZoom: (args: RandomZoomArgs) => new RandomZoom(args),
  randomTranslation: (args: RandomTranslationArgs) => new RandomTranslation(args),
  randomContrast: (args: ColorLayerArgs) => new RandomContrast(args),
  randomBrightness: (args: ColorLayerArgs) => new RandomBrightness(args),
  randomCrop: (args: RandomCropArgs) => new RandomCrop(args),
  centerCrop: (args: CropArgs) => new CenterCrop(args),
  resizing: (args: ResizingArgs) => new Resizing(args),
  rescaling: (args: RescalingArgs) => new Rescaling(args),
  /** Keras's `Pipeline(layers, name)`: `layers.pipeline([...], { name })`. */
  pipeline: (layerList: Layer[], args: Omit<PipelineArgs, 'layers'> = {}) => new Pipeline({ ...args, layers: layerList }),
};
