/**
 * `convkit convert IN OUT`: reads a model in one format and writes it in another (.keras, .h5,
 * model.json, .onnx), atomically; a `.keras` → `.keras` copy keeps the input-scaling record. The input
 * is read completely before anything is written, so a bad input overwrites nothing.
 */
import { resolve } from 'node:path';
import { describeFlags, UsageError, type FlagSpec } from './args.js';
import { expectFiles, loadModelFile, readInputInfo, saveWithInputInfo, splitArgs } from './model-files.js';
import { checkSavePath } from './train-files.js';

export const CONVERT_FLAGS: Record<string, FlagSpec> = {
  nchw: { type: 'boolean', help: 'ONNX output only: the graph takes NCHW input (default NHWC)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const CONVERT_HELP = `Usage: convkit convert IN OUT

Converts a saved model between Keras 3 (.keras), legacy Keras (.h5), TensorFlow.js
(DIR/model.json) and ONNX (.onnx) files; the format follows each name.

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
  const nchw = flags['nchw'] === true;
  if (nchw && !output.toLowerCase().endsWith('.onnx'))
    throw new UsageError(`convert: --nchw applies to an ONNX output (OUT ending in .onnx), received '${output}'`);
  const model = await loadModelFile(input);
  if (nchw) await model.save(output, { nchw });
  else await saveWithInputInfo(model, output, readInputInfo(input));
  console.log(`Wrote ${output}`);
}
