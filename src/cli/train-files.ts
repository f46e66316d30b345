/**
 * The files `convkit train` writes besides its log: `--save FILE` (the trained model, in the
 * format its name says) and `--checkpoint-dir DIR` (a BackupAndRestore backup: the same command
 * rerun after a kill resumes the run and ends with the same weights). The backup is removed only
 * once the model is saved, so a kill between the two loses nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formats } from '../io/index.js';
import type { Model } from '../models/model.js';
import { BackupAndRestore } from '../training/backup-and-restore.js';
import { UsageError } from './args.js';
import { saveWithInputInfo, type InputInfo } from './model-files.js';

/**
 * Refuses a --save name of no known format or in a folder that does not exist (a usage error,
 * before any training).
 *
 * @example
 * checkSavePath('mnist.keras'); // fine; checkSavePath('mnist.txt') throws
 */
export function checkSavePath(path: string): void {
  const lower = path.toLowerCase();
  if (!formats.some(([suffix, f]) => f.save && lower.endsWith(suffix) && !lower.endsWith('.weights.h5'))) {
    throw new UsageError(`option --save: cannot tell the format of '${path}'; expected a name ending in .keras, .h5 or model.json`);
  }
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`option --save '${path}': folder '${folder}' does not exist`);
}

/**
 * The backup callback for --checkpoint-dir (none without it), backing up every epoch or every
 * `every` batches; it keeps its files until finishCheckpoints.
 *
 * @example
 * const callbacks = checkpointCallbacks('run1', 50);
 */
export function checkpointCallbacks(dir: string | undefined, every: number | undefined): BackupAndRestore[] {
  if (dir === undefined) return [];
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`option --checkpoint-dir: '${dir}' is a file, not a folder`);
  const backup = new BackupAndRestore({ backupDir: dir, saveFreq: every ?? 'epoch', deleteCheckpoint: false });
  const announce = backup.onTrainBegin.bind(backup);
  backup.onTrainBegin = () => {
    announce();
    const p = backup.restoredFrom;
    if (p) console.log(`Resuming from ${dir}: epoch ${p.epoch + 1}, ${p.step} batches done`);
  };
  return [backup];
}

/** Removes the backups once the run's results are safe. */
export function finishCheckpoints(backups: readonly BackupAndRestore[]): void {
  for (const b of backups) b.remove();
}

/**
 * Saves the trained model to `path` (atomically), with how its inputs were scaled and its class
 * names (in a `.keras` file's metadata), and says where.
 *
 * @example
 * await saveTrained(model, 'mnist.keras', { scale: 1 / 255, offset: 0, dataset: 'mnist' });
 */
export async function saveTrained(model: Model, path: string, info: InputInfo): Promise<void> {
  await saveWithInputInfo(model, path, info);
  console.log(`Saved the model to ${path}`);
}
