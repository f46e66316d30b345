/**
 * The `convkit` command: dispatches to `train` and `info`; usage errors print one line and exit 2.
 */
import { getBackend } from '../backends/index.js';
import { nativeAddonOrigin, nativeInfo } from '../backends/native-loader.js';
import { UsageError } from './args.js';
import { train, TRAIN_HELP } from './train.js';

const HELP = `Usage: convkit <command> [options]

Commands:
  train     train the Keras MNIST tutorial CNN on real MNIST (see convkit train --help)
  info      show the backend in use, which native addon build and why, the CPU features found
            and the thread count

Environment:
  CONVKIT_BACKEND=ts|native     choose the kernels (default: native if it built, else ts)
  CONVKIT_NUM_THREADS=N         threads of the native backend (default: all cores)`;

function info(): void {
  const backend = getBackend();
  const native = nativeInfo();
  const origin = nativeAddonOrigin();
  console.log(`backend: ${backend.name}`);
  if ('error' in origin) console.log(`native addon: not available (${origin.error})`);
  else console.log(`native addon: ${origin.path} (${origin.reason})`);
  if (native) {
    console.log(`native isa: ${native.isa}`);
    console.log(`cpu features: ${native.cpuFeatures.join(' ') || 'none detected'}`);
    console.log(`threads: ${native.threads}`);
  }
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      console.log(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === 'train') {
      await train(rest);
      return 0;
    }
    if (command === 'info') {
      if (rest.length > 0) throw new UsageError(`info takes no arguments, received '${rest.join(' ')}'`);
      info();
      return 0;
    }
    throw new UsageError(`unknown command '${command}'; expected train or info (see --help)`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`convkit: ${err.message}`);
      return 2;
    }
    console.error(`convkit: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

export { TRAIN_HELP };
