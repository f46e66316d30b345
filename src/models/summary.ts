/**
 * The Keras summary table: Layer (type) | Output Shape | Param #, with totals.
 */
import type { Layer } from '../layers/layer.js';
import { showShape, type Shape } from '../layers/shape-types.js';

/** What the summary needs of a model. */
export interface Summarizable {
  readonly name: string;
  readonly layers: Layer[];
  readonly weights: { size: number; trainable: boolean }[];
  /** Each layer's output shape, in order. */
  layerOutputShapes(): Shape[];
  /** For graph models: what each layer reads (adds Keras's "Connected to" column). */
  layerConnections?(): string[];
}

function row(cells: string[], columns: number[]): string {
  return cells
    .map((c, i) => ` ${c}`.padEnd(columns[i]!))
    .join('')
    .trimEnd();
}

/** Formats the table; `formatSummary(model)` is what `model.summary()` prints. */
export function formatSummary(model: Summarizable): string {
  const shapes = model.layerOutputShapes();
  const connections = model.layerConnections?.();
  const names = model.layers.map((layer) => `${layer.name} (${layer.className})`);
  const columns = [
    Math.max(29, ...names.map((n) => n.length + 2)),
    26,
    10,
    ...(connections ? [Math.max(14, ...connections.map((c) => c.length + 2))] : []),
  ];
  const width = columns.reduce((a, b) => a + b, 0);
  const header = ['Layer (type)', 'Output Shape', 'Param #', ...(connections ? ['Connected to'] : [])];
  const lines = [`Model: "${model.name}"`, '_'.repeat(width), row(header, columns), '='.repeat(width)];
  // As Keras 3: a layer not built yet (a Sequential without an input shape) shows '?' and '0 (unbuilt)'.
  model.layers.forEach((layer, i) => {
    const shape = shapes[i];
    const params = layer.built ? layer.countParams().toLocaleString('en-US') : '0 (unbuilt)';
    const cells = [names[i]!, shape ? showShape(shape) : '?', params];
    lines.push(row(connections ? [...cells, connections[i]!] : cells, columns));
    lines.push(i === model.layers.length - 1 ? '='.repeat(width) : '');
  });
  const total = model.weights.reduce((n, w) => n + w.size, 0);
  const trainable = model.weights.filter((w) => w.trainable).reduce((n, w) => n + w.size, 0);
  lines.push(`Total params: ${total.toLocaleString('en-US')}`);
  lines.push(`Trainable params: ${trainable.toLocaleString('en-US')}`);
  lines.push(`Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`);
  lines.push('_'.repeat(width));
  if (model.layers.some((l) => !l.built)) {
    lines.push(
      'The model is not built yet: give its first layer an inputShape, call model.build([null, ...sampleShape]), ' +
        'or call fit/predict once (it builds from the data).',
    );
  }
  return lines.join('\n');
}
