/**
 * Inference speed of PyTorch's resnet18 and mobilenet_v2 (torch.onnx.export, random weights, 224×224)
 * imported into Convkit, side by side with ONNX Runtime running the same files in the same
 * process: median milliseconds per batch of 8 and per single image, and the ratio (ONNX Runtime's
 * time / Convkit's: above 1, Convkit is faster). The files are made by
 * scripts/onnx/export_torchvision.py with Debian's python3-torch (skipped, saying why, without it).
 *
 * Run on its own: `node build/bench/onnx.js [--quick]`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import { getBackend } from '../src/backends/index.js';
import '../src/backends/native-loader.js'; // the native backend, as `convkit` users get it
import { loadOnnx } from '../src/io/onnx/index.js';
import { Random } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { median } from './train-steps.js';

export interface OnnxBenchRow {
  model: string;
  batch: number;
  convkitMs: number;
  ortMs: number;
  /** ortMs / convkitMs: above 1, Convkit is faster. */
  ratio: number;
}

const script = fileURLToPath(new URL('../../scripts/onnx/export_torchvision.py', import.meta.url));

/** The .onnx files for `names`, made once per version of the export script. */
function exports(names: string[]): string {
  const dir = join(tmpdir(), `convkit-onnx-torch-${createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12)}`);
  const missing = names.filter((n) => !existsSync(join(dir, `${n}.onnx`)));
  if (missing.length > 0) execFileSync('/usr/bin/python3', [script, dir, ...missing], { stdio: 'pipe', timeout: 600_000 });
  return dir;
}

/** Median wall time of `runs` calls after `warmup`. */
async function time(fn: () => unknown, warmup: number, runs: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/**
 * Times Convkit and ONNX Runtime on the same imported models and inputs.
 *
 * @example
 * for (const r of await benchOnnx()) console.log(r.model, r.batch, r.ratio);
 */
export async function benchOnnx({ quick = false } = {}): Promise<OnnxBenchRow[]> {
  const names = ['resnet18@224', 'mobilenet_v2@224'];
  const dir = exports(names);
  const rows: OnnxBenchRow[] = [];
  const rng = new Random(0);
  for (const name of names) {
    const path = join(dir, `${name}.onnx`);
    const m = loadOnnx(path);
    const session = await ort.InferenceSession.create(path);
    for (const batch of [8, 1]) {
      const nhwc = Float32Array.from({ length: batch * 224 * 224 * 3 }, () => rng.uniform());
      const nchw = new Float32Array(nhwc.length); // the same images, channels first
      for (let i = 0; i < nhwc.length; i++) {
        const [b, rest] = [Math.floor(i / (224 * 224 * 3)), i % (224 * 224 * 3)];
        nchw[b * 224 * 224 * 3 + (rest % 3) * 224 * 224 + Math.floor(rest / 3)] = nhwc[i]!;
      }
      const x = new Tensor(nhwc, [batch, 224, 224, 3]);
      const feed = { [session.inputNames[0]!]: new ort.Tensor('float32', nchw, [batch, 3, 224, 224]) };
      const runs = quick ? 3 : batch === 1 ? 20 : 8;
      const convkitMs = await time(() => m.predict(x, { batchSize: batch }), 2, runs);
      const ortMs = await time(() => session.run(feed), 2, runs);
      rows.push({ model: name.replace('@224', ' 224x224'), batch, convkitMs, ortMs, ratio: ortMs / convkitMs });
    }
    await session.release();
  }
  return rows;
}

/** The rows as a table. */
export function formatOnnxRows(rows: OnnxBenchRow[]): string {
  const lines = [['model', 'batch', 'Convkit ms', 'ONNX Runtime ms', 'ORT/Convkit'].join(' | ')];
  for (const r of rows) lines.push([r.model, r.batch, r.convkitMs.toFixed(1), r.ortMs.toFixed(1), r.ratio.toFixed(2)].join(' | '));
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`backend ${getBackend().name}; ONNX Runtime ${ort.env.versions?.common ?? ''} (default threads)`);
  console.log(formatOnnxRows(await benchOnnx({ quick: process.argv.includes('--quick') })));
}
