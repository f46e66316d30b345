/**
 * Convkit's public API for Node.js: Keras's workflow in TypeScript. Everything of the
 * browser-safe core (src/core.ts), plus the native backend (chosen by default when the addon
 * loads), the dataset file loaders, the IDX reader and CSVLogger.
 *
 * @example
 * import { datasets, sequential, layers, oneHot } from 'convkit';
 * const { train, test } = await datasets.mnist.load();
 * const model = sequential([
 *   layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
 *   layers.maxPooling2d({ poolSize: 2 }),
 *   layers.flatten(),
 *   layers.dense({ units: 10, activation: 'softmax' }),
 * ]);
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * await model.fit(train.images, oneHot(train.labels, 10), { epochs: 1, batchSize: 200 });
 */
import './backends/native-loader.js'; // makes the native backend available (and the default when it loads)

export * from './core.js';
export { nativeInfo, setNativeIsa, type NativeInfo } from './backends/native-loader.js';
export { CSVLogger } from './training/csv-logger.js';
export { BackupAndRestore, type BackupAndRestoreArgs } from './training/backup-and-restore.js';
export * from './data/index.js';
export type { SaveOptions } from './models/model.js';
export {
  loadModel,
  loadTfjsArtifacts,
  formats,
  FileFormatError,
  type ModelFormat,
  type Quantization,
  type TfjsArtifacts,
} from './io/index.js';
export {
  exportOnnx,
  saveOnnx,
  importOnnx,
  loadOnnx,
  supportedOnnxOps,
  type ExportOnnxOptions,
  type ImportOnnxOptions,
} from './io/onnx/index.js';
export { Dashboard, type DashboardArgs } from './serve/dashboard.js';
export { serve, type RunningServer, type ServeOptions } from './serve/index.js';
