/**
 * What the model-file subcommands (predict, evaluate, summary, convert) share: splitting the
 * command line into file names and flags, loading a model with errors that name the file, and
 * how inputs were scaled when Convkit trained it. `convkit train --save m.keras` records that
 * in the archive's metadata.json as `convkit_input` ({ scale, offset, classNames, dataset });
 * other formats carry no such record, so predict then takes --scale/--offset.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { loadModel } from '../io/index.js';
import { writeKerasArchive } from '../io/keras-file.js';
import { readZip, writeZip } from '../io/zip.js';
import type { Model } from '../models/model.js';
import { parseFlags, UsageError, type FlagSpec } from './args.js';

/** How raw pixels (0..255) become the model's inputs: `pixel * scale + offset`; the class names. */
export interface InputInfo {
  scale: number;
  offset: number;
  classNames?: string[];
  dataset?: string;
}

/**
 * Splits `argv` into positional arguments (file names) and parsed flags.
 *
 * @example
 * splitArgs(['m.keras', 'a.png', '--top', '3'], { top: { type: 'int', help: '' } }); // { files: ['m.keras', 'a.png'], flags: { top: 3 } }
 */
export function splitArgs(
  argv: readonly string[],
  specs: Record<string, FlagSpec>,
): { files: string[]; flags: Record<string, number | string | boolean> } {
  const files: string[] = [];
  const flagArgs: string[] = [];
  const booleans = new Set(
    Object.entries(specs)
      .filter(([, s]) => s.type === 'boolean')
      .map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      files.push(arg);
      continue;
    }
    flagArgs.push(arg);
    if (!arg.includes('=') && !booleans.has(arg) && i + 1 < argv.length) flagArgs.push(argv[++i]!);
  }
  return { files, flags: parseFlags(flagArgs, specs) };
}

/** Loads a model; any failure is one line naming the file. */
export async function loadModelFile(path: string): Promise<Model> {
  try {
    return await loadModel(path);
  } catch (e) {
    const message = (e as Error).message;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: no such file`);
    throw new Error(message.includes(path) ? message.split('\n')[0]! : `${path}: ${message.split('\n')[0]!}`);
  }
}

/** The `convkit_input` record of a `.keras` file Convkit trained, or null. */
export function readInputInfo(path: string): InputInfo | null {
  if (!path.toLowerCase().endsWith('.keras')) return null;
  const bytes = readFileSync(path);
  const meta = readZip(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path).get('metadata.json');
  if (!meta) return null;
  let info: InputInfo | undefined;
  try {
    info = (JSON.parse(new TextDecoder().decode(meta)) as { convkit_input?: InputInfo }).convkit_input;
  } catch {
    return null; // Keras ignores metadata.json when loading; so does predict, falling back to the flags
  }
  if (!info || typeof info.scale !== 'number' || typeof info.offset !== 'number') return null;
  return info;
}

/**
 * Saves `model` to `path` (atomically); a `.keras` file also records `info` in metadata.json.
 *
 * @example
 * await saveWithInputInfo(model, 'mnist.keras', { scale: 1 / 255, offset: 0, dataset: 'mnist' });
 */
export async function saveWithInputInfo(model: Model, path: string, info: InputInfo | null): Promise<void> {
  if (!info || !path.toLowerCase().endsWith('.keras')) return model.save(path);
  const chunks = await writeKerasArchive(model);
  const whole = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    whole.set(c, at);
    at += c.byteLength;
  }
  const members = readZip(whole, path);
  const metadata = JSON.parse(new TextDecoder().decode(members.get('metadata.json')!)) as Record<string, unknown>;
  metadata['convkit_input'] = info;
  members.set('metadata.json', new TextEncoder().encode(JSON.stringify(metadata)));
  writeFileAtomic(path, writeZip([...members.entries()]));
}

/** A usage error for a wrong number of file arguments. */
export function expectFiles(files: string[], min: number, max: number, usage: string): void {
  if (files.length < min || files.length > max)
    throw new UsageError(
      `expected ${usage}, received ${files.length === 0 ? 'no file names' : files.map((f) => `'${f}'`).join(' ')} (see --help)`,
    );
}
