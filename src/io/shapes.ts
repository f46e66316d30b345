/**
 * The shape of every symbolic tensor of a functional model, by `layerName/nodeIndex`: Keras 3
 * writes them into each `__keras_tensor__` of config.json.
 */
import type { Functional } from '../models/functional.js';

/** `layerName/nodeIndex` → output shape (null batch). */
export function modelTensorShapes(model: Functional): Map<string, (number | null)[]> {
  const shapes = new Map<string, (number | null)[]>();
  for (const layer of model.layers)
    for (const node of layer.inboundNodes) shapes.set(`${layer.name}/${node.index}`, [...node.output.shape]);
  return shapes;
}
