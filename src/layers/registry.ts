/**
 * Layer registry: Keras class name → constructor from config. Each layer file registers
 * itself, so `layerFromConfig` can rebuild any layer from `{className, config}`.
 */
import type { Layer, LayerConfig } from './layer.js';

const registry = new Map<string, (config: LayerConfig) => Layer>();

/**
 * Registers a layer class under its Keras class name (custom layers too).
 * @example registerLayer('Double', (config) => new Double(config));
 */
export function registerLayer(className: string, fromConfig: (config: LayerConfig) => Layer): void {
  registry.set(className, fromConfig);
}

/** A layer's serialized form. */
export interface SerializedLayer {
  className: string;
  config: LayerConfig;
}

/**
 * Rebuilds a layer from `{className, config}`.
 * @example const copy = layerFromConfig(serializeLayer(layer));
 */
export function layerFromConfig(serialized: SerializedLayer): Layer {
  const make = registry.get(serialized.className);
  if (!make) {
    throw new Error(`layerFromConfig: unknown layer class '${serialized.className}'; known: ${[...registry.keys()].sort().join(', ')}`);
  }
  return make(serialized.config);
}

/** `{className, config}` of a layer. */
export function serializeLayer(layer: Layer): SerializedLayer {
  return { className: layer.className, config: layer.getConfig() };
}
