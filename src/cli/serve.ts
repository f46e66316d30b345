/**
 * `convkit serve`: serves models over HTTP (TensorFlow Serving's REST API, /healthz, /metrics)
 * with the draw-a-digit page at `/`. Runs until interrupted.
 */
import { basename, dirname, extname } from 'node:path';
import { loadModel } from '../io/index.js';
import { serve, type ServeOptions } from '../serve/index.js';
import { trainDemoModel } from '../serve/demo-model.js';
import type { Model } from '../models/model.js';
import { describeFlags, parseFlags, UsageError, type FlagSpec } from './args.js';

const positive = (v: number) => (v > 0 ? null : 'expected a positive value');

export const SERVE_FLAGS: Record<string, FlagSpec> = {
  port: {
    type: 'int',
    help: 'port to listen on (default 8080; 0: any free port)',
    check: (v) => (v >= 0 && v < 65536 ? null : 'expected 0..65535'),
  },
  host: { type: 'string', help: 'address to bind (default 127.0.0.1: this machine only)' },
  token: { type: 'string', help: 'require "Authorization: Bearer TOKEN" on /v1/ and /metrics' },
  demo: { type: 'boolean', help: 'serve a small MNIST CNN trained now on 4,000 images, as "mnist"' },
  maxBatch: { type: 'int', help: 'most samples per batched predict call (default 32)', check: positive },
  batchWindowMs: {
    type: 'number',
    help: 'how long a request waits to be batched, ms (default 2)',
    check: (v) => (v >= 0 ? null : 'expected ≥ 0'),
  },
  maxQueue: { type: 'int', help: 'samples queued per model before answering 503 (default 1024)', check: positive },
  maxBodyBytes: { type: 'int', help: 'largest request body (default 10485760)', check: positive },
  predictTimeoutMs: {
    type: 'int',
    help: "a batch running longer is answered 504 and the model's worker thread replaced (default 30000)",
    check: positive,
  },
  help: { type: 'boolean', help: 'show this help' },
};

export const SERVE_HELP = `Usage: convkit serve [NAME=]MODEL_FILE... [options]

MODEL_FILE is a Keras 3 .keras, a legacy .h5 or a TensorFlow.js model.json (model.save writes
them); NAME defaults to the file's name (m.keras → m; web_model/model.json → web_model).
Serves the models at http://127.0.0.1:8080: the draw-a-digit page at /, TensorFlow Serving's
REST API (GET /v1/models/NAME, GET /v1/models/NAME/metadata, POST /v1/models/NAME:predict
with {"instances": [...]} or a PNG/JPEG body), GET /healthz and GET /metrics (Prometheus).

Options:
${describeFlags(SERVE_FLAGS)}`;

/** Runs the server until SIGINT/SIGTERM; resolves when it has closed. */
export async function serveCommand(argv: readonly string[]): Promise<void> {
  const { files, rest } = splitPositionals(argv);
  const flags = parseFlags(rest, SERVE_FLAGS);
  if (flags['help']) {
    console.log(SERVE_HELP);
    return;
  }
  const models: Record<string, Model> = {};
  for (const arg of files) {
    const [name, path] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [modelName(arg), arg];
    if (models[name]) throw new UsageError(`two models named '${name}'; name them: NAME=${arg}`);
    models[name] = await loadModel(path);
    console.log(`Loaded ${path} as '${name}'`);
  }
  if (flags['demo']) {
    console.log('Training the demo model (seed CNN, 4,000 MNIST images, 3 epochs)...');
    const { model, testAccuracy } = await trainDemoModel();
    console.log(`Demo model: test accuracy ${testAccuracy.toFixed(4)}`);
    models['mnist'] = model;
  }
  if (Object.keys(models).length === 0)
    throw new UsageError('no model to serve: give a model file (m.keras, model.json) or --demo (see --help)');
  const options: ServeOptions = {};
  for (const key of ['port', 'host', 'token', 'maxBatch', 'batchWindowMs', 'maxQueue', 'maxBodyBytes', 'predictTimeoutMs'] as const) {
    if (flags[key] !== undefined) (options as Record<string, unknown>)[key] = flags[key];
  }
  const server = await serve(models, options);
  console.log(`Serving ${Object.keys(models).join(', ')} at ${server.url}/ (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
}

/** Model files (arguments that are neither flags nor flag values) apart from the flags. */
function splitPositionals(argv: readonly string[]): { files: string[]; rest: string[] } {
  const files: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      files.push(arg);
      continue;
    }
    rest.push(arg);
    const key = arg.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const spec = SERVE_FLAGS[key];
    if (spec && spec.type !== 'boolean' && !arg.includes('=') && i + 1 < argv.length) rest.push(argv[++i]!);
  }
  return { files, rest };
}

/** The default name of a served file: m.keras → m, web_model/model.json → web_model. */
export function modelName(path: string): string {
  const file = basename(path);
  const stem = file === 'model.json' ? basename(dirname(path)) : file.slice(0, file.length - extname(file).length);
  return stem.replace(/[^A-Za-z0-9._-]/g, '_') || 'model';
}
