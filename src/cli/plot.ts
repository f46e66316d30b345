/**
 * `convkit plot log.csv -o curves.png|svg`: a CSVLogger file's curves drawn without a browser
 * (SVG, and PNG through sharp).
 */
import { readFileSync } from 'node:fs';
import { historyPanels, parseLogCsv } from '../plot/panels.js';
import { writeChart } from '../plot/render.js';
import { curvesSvg } from '../plot/svg.js';
import { UsageError } from './args.js';

export const PLOT_HELP = `Usage: convkit plot LOG.csv -o FILE.png|FILE.svg

Draws the curves of a CSVLogger file (convkit train --log LOG.csv): loss and val_loss, each metric
with its val_ twin, and the learning rate when logged, one panel each, x = epoch.`;

/** Runs `convkit plot`; resolves to the file written. */
export async function plotCommand(argv: readonly string[]): Promise<string> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(PLOT_HELP);
    return '';
  }
  const inputs: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-o' || arg === '--output') {
      output = argv[++i];
      if (output === undefined) throw new UsageError(`option ${arg} needs a file name`);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}' (see convkit plot --help)`);
    else inputs.push(arg);
  }
  if (inputs.length !== 1) throw new UsageError(`expected one CSV log file, received ${inputs.length} (see convkit plot --help)`);
  if (!output) throw new UsageError('expected -o FILE.png or -o FILE.svg');
  if (!/\.(png|svg)$/i.test(output)) throw new UsageError(`-o: expected a name ending in .png or .svg, received '${output}'`);
  let text: string;
  try {
    text = readFileSync(inputs[0]!, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${inputs[0]}: ${(err as Error).message}`);
  }
  const logs = parseLogCsv(text, inputs[0]!);
  await writeChart(
    curvesSvg(
      historyPanels(
        logs,
        logs['epoch']!.map((e) => e + 1),
      ),
    ),
    output,
  );
  console.log(`Wrote ${output}`);
  return output;
}
