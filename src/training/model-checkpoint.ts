/**
 * ModelCheckpoint (Keras 3 semantics, keras/src/callbacks/model_checkpoint.py): saves the model
 * or its weights at the end of every epoch or every `saveFreq` batches, to a path filled from a
 * Python format template (`'ckpt-{epoch:02d}-{val_loss:.4f}.keras'`), optionally only when the
 * monitored quantity improves. Each file is written atomically (src/io).
 */
import { Callback, type Logs } from './callbacks.js';
import { monitorDirection, monitorValue, type MonitorMode } from './callback-support.js';
import { checkOptionNames } from '../layers/names.js';
import { pythonFormat } from './python-format.js';

export interface ModelCheckpointArgs {
  /** Where to save: a template filled with `epoch` (1-based), `batch` (1-based, with an integer saveFreq) and the logs. */
  filepath: string;
  /** Quantity compared with saveBestOnly (default 'val_loss'). */
  monitor?: string;
  /** 1 prints a line per save (or per skipped save). */
  verbose?: 0 | 1;
  /** Save only when `monitor` improves on the best so far (default false). */
  saveBestOnly?: boolean;
  /** Save the weights only (`.weights.h5` or `.h5`) instead of the whole model (`.keras`, `.h5`, `model.json`). */
  saveWeightsOnly?: boolean;
  mode?: MonitorMode;
  /** 'epoch' (default), or an integer: save every that many batches. */
  saveFreq?: 'epoch' | number;
  /** The value a first save must beat with saveBestOnly (default: none). */
  initialValueThreshold?: number | null;
}

const OPTIONS = ['filepath', 'monitor', 'verbose', 'saveBestOnly', 'saveWeightsOnly', 'mode', 'saveFreq', 'initialValueThreshold'] as const;

/**
 * Saves the model or its weights as training goes.
 *
 * @example
 * const best = new ModelCheckpoint({ filepath: 'best.keras', monitor: 'val_accuracy', saveBestOnly: true });
 * await model.fit(x, y, { epochs: 10, validationSplit: 0.2, callbacks: [best] });
 * const model2 = await loadModel('best.keras');
 */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly verbose: 0 | 1;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  /** Best monitored value so far (Infinity or -Infinity before the first). */
  best: number;
  private readonly better: (current: number, best: number) => boolean;
  private currentEpoch = 0;
  private batchesSinceSave = 0;
  private lastBatchSeen = 0;
  private readonly warned = { done: false };

  constructor(args: ModelCheckpointArgs) {
    super();
    checkOptionNames(args, OPTIONS, 'ModelCheckpoint');
    const where = 'ModelCheckpoint';
    if (typeof args?.filepath !== 'string' || args.filepath === '')
      throw new Error(
        `${where}: expected filepath to be a file name such as 'ckpt-{epoch:02d}.keras', received ${JSON.stringify(args?.filepath)}`,
      );
    this.filepath = args.filepath;
    this.monitor = args.monitor ?? 'val_loss';
    this.verbose = args.verbose ?? 0;
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.saveWeightsOnly = args.saveWeightsOnly ?? false;
    this.saveFreq = args.saveFreq ?? 'epoch';
    if (this.saveFreq !== 'epoch' && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0))
      throw new Error(
        `${where}: expected saveFreq 'epoch' or a positive integer number of batches, received ${JSON.stringify(this.saveFreq)}`,
      );
    const lower = this.filepath.toLowerCase();
    // Keras 3 asks for .weights.h5 / .keras; Convkit also writes the legacy .h5 and model.json.
    if (this.saveWeightsOnly) {
      if (!lower.endsWith('.h5'))
        throw new Error(
          `${where}: with saveWeightsOnly the filepath must end in .weights.h5 (or the legacy .h5), received '${this.filepath}'`,
        );
    } else if (lower.endsWith('.weights.h5') || !['.keras', '.h5', '.json'].some((s) => lower.endsWith(s))) {
      throw new Error(
        `${where}: the filepath must end in .keras (or .h5, model.json) to save the whole model, received '${this.filepath}'; pass saveWeightsOnly: true for .weights.h5`,
      );
    }
    const direction = monitorDirection(this.monitor, args.mode ?? 'auto', where);
    this.better = direction === 'min' ? (a, b) => a < b : (a, b) => a > b;
    this.best = args.initialValueThreshold ?? (direction === 'min' ? Infinity : -Infinity);
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override async onTrainBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    // As Keras's _should_save_on_batch: a batch index that did not grow means a new epoch began.
    this.batchesSinceSave += batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.lastBatchSeen = batch;
    if (this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    await this.save(this.currentEpoch, batch, logs);
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') await this.save(epoch, null, logs);
  }

  /** The file name for this epoch (0-based) and batch (0-based, or null at an epoch's end). */
  filePathFor(epoch: number, batch: number | null, logs: Logs): string {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch !== null && !('batch' in logs)) values['batch'] = batch + 1;
    try {
      return pythonFormat(this.filepath, values);
    } catch (e) {
      throw new Error(`ModelCheckpoint: failed to format the filepath '${this.filepath}': ${(e as Error).message}`);
    }
  }

  private async save(epoch: number, batch: number | null, logs: Logs): Promise<void> {
    const path = this.filePathFor(epoch, batch, logs);
    const say = (text: string) => this.verbose > 0 && console.log(`\nEpoch ${epoch + 1}: ${text}`);
    if (this.saveBestOnly) {
      const current = monitorValue(logs, this.monitor, 'ModelCheckpoint', this.warned);
      if (current === null) return;
      if (!this.better(current, this.best)) {
        say(`${this.monitor} did not improve from ${this.best.toFixed(5)}`);
        return;
      }
      say(`${this.monitor} improved from ${this.best.toFixed(5)} to ${current.toFixed(5)}, saving model to ${path}`);
      this.best = current;
    } else say(`saving model to ${path}`);
    const model = this.model;
    const write = this.saveWeightsOnly ? model?.saveWeights : model?.save;
    if (!model || !write)
      throw new Error("ModelCheckpoint: saving needs a Model with the file formats loaded (import { loadModel } from 'convkit' first)");
    await write.call(model, path);
  }
}
