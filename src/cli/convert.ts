/**
 * `convkit convert IN OUT`: reads a model in one format and writes it in another (.keras, .h5,
 * model.json), atomically; a `.keras` → `.keras` copy keeps the input-scaling record. The input
 * is read completely before anything is written, so a bad input overwrites nothing.
 */
import { resolve } from 'node:path';
import { describeFlags, UsageError, type FlagSpec } from './args.js';
import { expectFiles, loadModelFile, readInputInfo, saveWithInputInfo, splitArgs } from './model-files.js';
import { checkSavePath } from './train-files.js';

export const CONVERT_FLAGS: Record<string, FlagSpec> = { help: { type: 'boolean', help: 'show this help' } };

export const CONVERT_HELP = `Usage: convkit convert IN OUT

Converts a saved model between Keras 3 (.keras), legacy Keras (.h5) and TensorFlow.js
(DIR/model.json) files; the format follows each name.

Options:
${describeFlags(CONVERT_FLAGS)}`;

/** Runs `convkit convert`. */
export async function convert(argv: readonly string[]): Promise<void> {
  const { files, flags } = splitArgs(argv, CONVERT_FLAGS);
  if (flags['help']) {
    console.log(CONVERT_HELP);
    return;
  }
  expectFiles(files, 2, 2, 'two file names: convkit convert IN OUT');
  const [input, output] = files as [string, string];
  if (resolve(input) === resolve(output)) throw new UsageError(`convert: IN and OUT are the same file '${input}'`);
  try {
    checkSavePath(output);
  } catch (e) {
    throw new UsageError((e as Error).message.replace('option --save', 'convert OUT'));
  }
  const model = await loadModelFile(input);
  await saveWithInputInfo(model, output, readInputInfo(input));
  console.log(`Wrote ${output}`);
}
