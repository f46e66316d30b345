/**
 * Plots without a browser: curves and confusion matrices as SVG (svg.ts), PNG through sharp
 * (render.ts), from training logs (panels.ts); `writeTrainingPlots` is what
 * `convkit train --plot/--confusion` calls.
 */
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';
import type { History } from '../training/callbacks.js';
import { historyPanels } from './panels.js';
import { writeChart } from './render.js';
import { confusionSvg, curvesSvg } from './svg.js';

export { confusionSvg, curvesSvg, ticks, type Panel, type Series } from './svg.js';
export { historyPanels, parseLogCsv } from './panels.js';
export { writeChart } from './render.js';

/**
 * Counts (true class, predicted class) pairs: `matrix[label][predicted]`.
 *
 * @example
 * confusionMatrix(Float32Array.of(0.9, 0.1, 0.2, 0.8), [0, 0], 2);   // [[1, 1], [0, 0]]
 */
export function confusionMatrix(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k]! > probabilities[i * classes + best]!) best = k;
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(`confusionMatrix: labels[${i}] = ${label}, expected an integer class in [0, ${classes - 1}]`);
    }
    matrix[label]![best]!++;
  }
  return matrix;
}

/**
 * Writes the curves of `history` and the confusion matrix of `model` on `test` where asked.
 *
 * @example
 * await writeTrainingPlots({ model, history, test, curves: 'curves.png', confusion: 'cm.png' });
 */
export async function writeTrainingPlots(args: {
  model: Model;
  history: History;
  test: { images: Tensor; labels: Tensor };
  curves?: string | undefined;
  confusion?: string | undefined;
  classNames?: string[];
}): Promise<void> {
  if (args.curves) {
    await writeChart(
      curvesSvg(
        historyPanels(
          args.history.history,
          args.history.epoch.map((e) => e + 1),
        ),
      ),
      args.curves,
    );
    console.log(`Wrote ${args.curves}`);
  }
  if (args.confusion) {
    const probabilities = args.model.predict(args.test.images, { batchSize: 500 });
    const classes = probabilities.shape[1]!;
    const matrix = confusionMatrix(probabilities.data, args.test.labels.data, classes);
    await writeChart(confusionSvg(matrix, args.classNames), args.confusion);
    console.log(`Wrote ${args.confusion}`);
  }
}
