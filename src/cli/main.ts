/**
 * The `convkit` command: dispatches to `train` and `info`, and behaves like a Unix tool: help
 * and results on stdout; errors as one line on stderr; exit code 0 on success, 2 for a usage
 * error (a wrong flag or value, a bad CONVKIT_* variable), 1 for a failure while running; a
 * closed stdout (`convkit train | head -3`) ends the process quietly.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { getBackend } from '../backends/index.js';
import { nativeAddonOrigin, nativeInfo } from '../backends/native-loader.js';
import { checkNativeEnvironment } from '../backends/native-env.js';
import { UsageError } from './args.js';
import { train, TRAIN_HELP } from './train.js';
import { MODEL_COMMANDS } from './model-commands.js';
import { serveCommand } from './serve.js';
import { plotCommand } from './plot.js';

const HELP = `Usage: convkit <command> [options]

Commands:
  train     train the Keras MNIST tutorial CNN on real MNIST (see convkit train --help)
  predict   classify PNG/JPEG images with a saved model (convkit predict m.keras img.png)
  evaluate  a saved model's test accuracy on mnist, fashion-mnist or cifar10
  summary   a saved model's layers and parameter counts
  convert   convert a saved model between .keras, .h5 and model.json
  serve     serve a model over HTTP: TF Serving's REST API and a draw-a-digit page (see convkit serve --help)
  plot      draw a CSV training log's curves to PNG or SVG (see convkit plot --help)
  info      show the backend in use, which native addon build and why, the CPU features found
            and the thread count

Options:
  --help, -h      show this help
  --version, -V   show the version

Environment:
  CONVKIT_BACKEND=ts|native     choose the kernels (default: native if it built, else ts)
  CONVKIT_NUM_THREADS=N         threads of the native backend, 1 to 256 (default: all cores)
  CONVKIT_NATIVE_ISA=NAME       portable, avx2, avx512 or auto (default: the best the CPU has)

Exit status: 0 success, 1 a failure while running, 2 a usage error.`;

/** The package's version, from its package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

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

/** Refuses a bad CONVKIT_* variable before any work (the backend warns about too many threads). */
function checkEnvironment(): void {
  const backend = process.env['CONVKIT_BACKEND'];
  if (backend !== undefined && backend !== '' && backend !== 'ts' && backend !== 'native') {
    throw new UsageError(`CONVKIT_BACKEND: expected ts or native, received '${backend}'`);
  }
  const { error } = checkNativeEnvironment(process.env, availableParallelism());
  if (error) throw new UsageError(error);
}

/** Ends the process quietly when stdout's reader goes away (EPIPE), as Unix tools do. */
let watchingStdout = false;
function quietOnClosedStdout(): void {
  if (watchingStdout) return;
  watchingStdout = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/**
 * Runs the CLI with `argv` (without node and script); resolves to the exit code.
 *
 * @example
 * process.exitCode = await main(['train', '--epochs', '1']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  quietOnClosedStdout();
  const [command, ...rest] = argv;
  try {
    if (command === '--help' || command === '-h' || command === 'help') {
      console.log(HELP);
      return 0;
    }
    if (command === '--version' || command === '-V') {
      console.log(`convkit ${version()}`);
      return 0;
    }
    if (command === undefined) {
      console.error(HELP);
      return 2;
    }
    if (command === 'train') {
      checkEnvironment();
      await train(rest);
      return 0;
    }
    if (command === 'serve') {
      checkEnvironment();
      await serveCommand(rest);
      return 0;
    }
    if (command === 'plot') {
      await plotCommand(rest);
      return 0;
    }
    const modelCommand = command !== undefined ? MODEL_COMMANDS[command] : undefined;
    if (modelCommand) {
      checkEnvironment();
      await modelCommand(rest);
      return 0;
    }
    if (command === 'info') {
      if (rest.length > 0) throw new UsageError(`info takes no arguments, received '${rest.join(' ')}'`);
      checkEnvironment();
      info();
      return 0;
    }
    throw new UsageError(
      `unknown command '${command}'; expected train, ${Object.keys(MODEL_COMMANDS).join(', ')}, serve, plot or info (see --help)`,
    );
  } catch (err) {
    console.error(`convkit: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

export { TRAIN_HELP };
