/**
 * `convkit summary m.keras`: the saved model's Keras-style summary table, then how its inputs
 * are scaled and its class names when the file records them.
 */
import { describeFlags, type FlagSpec } from './args.js';
import { expectFiles, loadModelFile, readInputInfo, splitArgs } from './model-files.js';

export const SUMMARY_FLAGS: Record<string, FlagSpec> = { help: { type: 'boolean', help: 'show this help' } };

export const SUMMARY_HELP = `Usage: convkit summary MODEL

Prints a saved model's layers, output shapes and parameter counts (.keras, .h5 or model.json).

Options:
${describeFlags(SUMMARY_FLAGS)}`;

/** Runs `convkit summary`. */
export async function summary(argv: readonly string[]): Promise<void> {
  const { files, flags } = splitArgs(argv, SUMMARY_FLAGS);
  if (flags['help']) {
    console.log(SUMMARY_HELP);
    return;
  }
  expectFiles(files, 1, 1, 'one model file: convkit summary MODEL');
  const model = await loadModelFile(files[0]!);
  model.summary();
  const info = readInputInfo(files[0]!);
  if (info) {
    console.log(`Inputs: pixel (0..255) * ${info.scale} + ${info.offset}${info.dataset ? ` (trained on ${info.dataset})` : ''}`);
    if (info.classNames) console.log(`Classes: ${info.classNames.join(', ')}`);
  }
  if (model.compiled) console.log(`Compiled: ${model.compiled.optimizer.className}, loss ${model.compiled.loss.name}`);
}
