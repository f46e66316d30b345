/**
 * BackupAndRestore (after keras/src/callbacks/backup_and_restore.py): saves the training run to
 * `backupDir` at the end of every epoch or every `saveFreq` batches; when fit starts with a
 * backup there (the process was killed), it restores it and training continues. Keras restarts
 * the interrupted epoch from its beginning; Convkit restores the exact batch: the weights,
 * the optimizer's slots, iteration count and learning rate, the random generator's state (so the
 * shuffle order and dropout masks repeat) and the epoch's running logs. A killed run restarted
 * with the same seed therefore ends with bit-identical weights to one never interrupted.
 *
 * On disk: `checkpoint-N.bin` (every array's raw bytes, in order) and `state.json` (what the
 * arrays are, the position, a description of the model). Each is written atomically and
 * state.json last, naming its .bin: a kill at any moment leaves the previous backup or the new one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkOptionNames } from '../layers/names.js';
import { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../tensor/variable.js';
import { Callback } from './callbacks.js';
import type { ResumePoint } from './fit-state.js';
import type { TrainableModel } from './types.js';

/** The state.json layout this Convkit writes and reads. */
export const BACKUP_FORMAT = 'convkit-backup';
export const BACKUP_VERSION = 1;

export interface BackupAndRestoreArgs {
  /** Folder for the backup (created when needed; keep one per training run). */
  backupDir: string;
  /** 'epoch' (default), or an integer: back up every that many batches. */
  saveFreq?: 'epoch' | number;
  /** Remove the backup when training ends normally (default true, as Keras). */
  deleteCheckpoint?: boolean;
}

interface ArrayEntry {
  /** 'weight' i (model.weights[i]) or 'slot' j of model.weights[i]. */
  kind: 'weight' | 'slot';
  index: number;
  slot?: number;
  dtype: 'float32' | 'float64';
  length: number;
}

interface BackupState {
  format: string;
  version: number;
  file: string;
  bytes: number;
  /** Shapes of model.weights, and the optimizer's class: a backup of another model is refused. */
  weightShapes: number[][];
  optimizer: string;
  run: { samples: number; batchSize: number };
  iterations: number;
  learningRate: number | null;
  position: ResumePoint;
  arrays: ArrayEntry[];
}

const OPTIONS = ['backupDir', 'saveFreq', 'deleteCheckpoint'] as const;

/**
 * Backs a training run up as it goes, and resumes it after a crash or a kill.
 *
 * @example
 * const backup = new BackupAndRestore({ backupDir: 'run1-backup', saveFreq: 100 });
 * await model.fit(x, y, { epochs: 10, callbacks: [backup] }); // rerun the same program after a kill: it resumes
 */
export class BackupAndRestore extends Callback {
  readonly backupDir: string;
  readonly saveFreq: 'epoch' | number;
  readonly deleteCheckpoint: boolean;
  /** The position this run resumed from (null when it started afresh). */
  restoredFrom: ResumePoint | null = null;
  private counter = 0;
  private batchesSinceSave = 0;

  constructor(args: BackupAndRestoreArgs) {
    super();
    checkOptionNames(args, OPTIONS, 'BackupAndRestore');
    if (typeof args?.backupDir !== 'string' || args.backupDir === '')
      throw new Error(`BackupAndRestore: expected backupDir to be a folder name, received ${JSON.stringify(args?.backupDir)}`);
    this.backupDir = resolve(args.backupDir);
    this.saveFreq = args.saveFreq ?? 'epoch';
    if (this.saveFreq !== 'epoch' && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0))
      throw new Error(
        `BackupAndRestore: expected saveFreq 'epoch' or a positive integer number of batches, received ${JSON.stringify(this.saveFreq)}`,
      );
    this.deleteCheckpoint = args.deleteCheckpoint ?? true;
  }

  private get statePath(): string {
    return join(this.backupDir, 'state.json');
  }

  override onTrainBegin(): void {
    this.batchesSinceSave = 0;
    this.restoredFrom = null;
    if (!existsSync(this.statePath)) return;
    const state = this.readState();
    this.counter = Number(/checkpoint-(\d+)\.bin$/.exec(state.file)?.[1] ?? 0);
    this.restore(state);
    this.restoredFrom = state.position;
    this.params!.state!.resumeFrom = state.position;
  }

  override onTrainBatchEnd(): void {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    this.save(this.params!.state!.position());
  }

  override onEpochEnd(): void {
    if (this.saveFreq === 'epoch') this.save(this.params!.state!.nextEpoch());
  }

  override onTrainEnd(): void {
    if (this.deleteCheckpoint) this.remove();
  }

  /** Deletes the backup folder's files (the folder too when nothing else is in it). */
  remove(): void {
    if (!existsSync(this.backupDir)) return;
    for (const name of readdirSync(this.backupDir)) if (isOurs(name)) rmSync(join(this.backupDir, name), { force: true });
    if (readdirSync(this.backupDir).length === 0) rmSync(this.backupDir, { recursive: true, force: true });
  }

  private model_(): TrainableModel {
    const model = this.model;
    if (!model?.compiled) throw new Error('BackupAndRestore: expected a compiled model (call model.compile first)');
    return model;
  }

  /** Writes the current run to checkpoint-N.bin, then state.json naming it, then drops older .bin files. */
  save(position: ResumePoint): void {
    const model = this.model_();
    const optimizer = model.compiled!.optimizer;
    mkdirSync(this.backupDir, { recursive: true });
    const chunks: Uint8Array[] = [];
    const arrays: ArrayEntry[] = [];
    const add = (data: Float32Array | Float64Array, entry: Omit<ArrayEntry, 'dtype' | 'length'>) => {
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      arrays.push({ ...entry, dtype: data instanceof Float64Array ? 'float64' : 'float32', length: data.length });
    };
    model.weights.forEach((w, index) => add(floatValues(w), { kind: 'weight', index }));
    model.weights.forEach((w, index) => optimizer.getSlots(w)?.forEach((s, slot) => add(s, { kind: 'slot', index, slot })));
    const file = `checkpoint-${++this.counter}.bin`;
    writeFileAtomic(join(this.backupDir, file), chunks);
    const state: BackupState = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      file,
      bytes: chunks.reduce((n, c) => n + c.byteLength, 0),
      weightShapes: model.weights.map((w) => [...w.shape]),
      optimizer: optimizer.className,
      run: { samples: this.params!.samples, batchSize: this.params!.batchSize },
      iterations: optimizer.iterations,
      learningRate: typeof optimizer.learningRate === 'number' ? optimizer.learningRate : null,
      position,
      arrays,
    };
    writeFileAtomic(this.statePath, [new TextEncoder().encode(JSON.stringify(state))]);
    for (const name of readdirSync(this.backupDir))
      if (name !== file && isOurs(name) && name !== 'state.json') rmSync(join(this.backupDir, name), { force: true });
  }

  private readState(): BackupState {
    const where = `backup folder '${this.backupDir}'`;
    let state: BackupState;
    try {
      state = JSON.parse(readFileSync(this.statePath, 'utf8')) as BackupState;
    } catch (e) {
      throw new Error(`${where}: state.json is not readable JSON (${(e as Error).message}); delete the folder to start afresh`);
    }
    if (state?.format !== BACKUP_FORMAT)
      throw new Error(
        `${where}: state.json is not a Convkit backup (expected format '${BACKUP_FORMAT}', received ${JSON.stringify(state?.format)})`,
      );
    if (state.version !== BACKUP_VERSION)
      throw new Error(
        `${where}: written by an incompatible Convkit (backup format version ${JSON.stringify(state.version)}; this Convkit reads version ${BACKUP_VERSION}); delete the folder to start afresh`,
      );
    const model = this.model_();
    const shapes = model.weights.map((w) => [...w.shape]);
    const same = shapes.length === state.weightShapes?.length && shapes.every((s, i) => s.join('x') === state.weightShapes[i]?.join('x'));
    if (!same) {
      const i = shapes.findIndex((s, k) => s.join('x') !== state.weightShapes?.[k]?.join('x'));
      throw new Error(
        `${where}: the backup is of a different model (${state.weightShapes?.length} weights; weight ${i} has shape [${state.weightShapes?.[i]?.join(', ') ?? 'none'}]), ` +
          `this model has ${shapes.length} weights (weight ${i} of shape [${shapes[i]?.join(', ') ?? 'none'}]); use another folder or delete it`,
      );
    }
    const optimizer = model.compiled!.optimizer.className;
    if (state.optimizer !== optimizer)
      throw new Error(`${where}: the backup was trained with ${state.optimizer}, this model is compiled with ${optimizer}`);
    const { samples, batchSize } = this.params!;
    if (state.run?.samples !== samples || state.run?.batchSize !== batchSize)
      throw new Error(
        `${where}: the backup is of a run on ${state.run?.samples} samples in batches of ${state.run?.batchSize}; this run has ${samples} in batches of ${batchSize}`,
      );
    return state;
  }

  private restore(state: BackupState): void {
    const where = `backup folder '${this.backupDir}'`;
    const path = join(this.backupDir, state.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`${where}: state.json names ${state.file}, which is missing; delete the folder to start afresh`);
    }
    if (bytes.byteLength !== state.bytes)
      throw new Error(`${where}: ${state.file} has ${bytes.byteLength} bytes, state.json expects ${state.bytes}`);
    const model = this.model_();
    const optimizer = model.compiled!.optimizer;
    const weights = model.weights;
    const slots = new Map<Variable, (Float32Array | Float64Array)[]>();
    let offset = 0;
    for (const entry of state.arrays) {
      const Ctor = entry.dtype === 'float64' ? Float64Array : Float32Array;
      const size = entry.length * Ctor.BYTES_PER_ELEMENT;
      if (offset + size > bytes.byteLength)
        throw new Error(`${where}: ${state.file} ends at byte ${bytes.byteLength}, an array needs bytes ${offset}..${offset + size}`);
      const data = new Ctor(Uint8Array.prototype.slice.call(bytes, offset, offset + size).buffer as ArrayBuffer);
      offset += size;
      const w = weights[entry.index];
      if (!w || w.size !== entry.length)
        throw new Error(`${where}: array for weight ${entry.index} has ${entry.length} values, expected ${w?.size}`);
      if (entry.kind === 'weight') w.assign(new Tensor(data, w.shape));
      else slots.set(w, [...(slots.get(w) ?? []), data]);
    }
    for (const [w, s] of slots) optimizer.setSlots(w, s);
    optimizer.iterations = state.iterations;
    if (state.learningRate !== null && typeof optimizer.learningRate === 'number') optimizer.learningRate = state.learningRate;
  }
}

function isOurs(name: string): boolean {
  return name === 'state.json' || /^checkpoint-\d+\.bin$/.test(name) || /^\.(state\.json|checkpoint-\d+\.bin)\..*\.tmp$/.test(name);
}

function floatValues(w: Variable): Float32Array | Float64Array {
  const v = w.values();
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  return Float32Array.from(v);
}
