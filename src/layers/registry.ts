/**
 * Layer registry: Keras class name → constructor from config. Each layer file registers
 * itself, so `layerFromConfig` can rebuild any layer from `{className, config}`.
 */
import type { Layer, LayerConfig } from './layer.js';

const registry = new Map<string, (config: LayerConfig) => Layer>();

/**
 * Registers a layer class under its Keras class name (custom layers too), with the function that
 * builds it from its config, typed as the layer's own options.
 *
 * @example
 * registerLayer('Double', (config: LayerArgs) => new Double(config));
 */
export function registerLayer<Config extends object>(className: string, fromConfig: (config: Config) => Layer): void {
  // The one unchecked step: a config read back (from getConfig or a file) is taken as the layer's
  // options, and the layer's constructor checks each option as it does for a user's.
  registry.set(className, fromConfig as unknown as (config: LayerConfig) => Layer);
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

/**
 * The class names `layerFromConfig` can rebuild (built-in and registered): the allow-list that
 * model files are checked against.
 * @example registeredLayerClasses().includes('Conv2D');   // true
 */
export function registeredLayerClasses(): string[] {
  return [...registry.keys()].sort();
}
