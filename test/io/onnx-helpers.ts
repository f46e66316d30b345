/**
 * What the ONNX tests share: ONNX Runtime (onnxruntime-node, the independent implementation the
 * outputs are checked against), NCHW ↔ NHWC, seeded inputs, weights randomised so that batch
 * norm statistics and biases matter, and Debian's python3 with onnx for the checker.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import ort from 'onnxruntime-node';
import '../../src/backends/native-loader.js'; // the native backend when built, as `convkit` users run
import type { Model } from '../../src/models/model.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Runs an ONNX model (bytes or path) on one input with ONNX Runtime; returns the first output. */
export async function runOrt(model: Uint8Array | string, x: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: number[] }> {
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', x, dims) };
  const out = (await session.run(feeds))[session.outputNames[0]!]!;
  await session.release();
  return { data: out.data as Float32Array, dims: [...out.dims] };
}

/** [N, C, H, W] data as [N, H, W, C] (perm [0, 2, 3, 1]) or back ([0, 3, 1, 2]). */
export function relayout(data: Float32Array, dims: readonly number[], toNhwc: boolean): Float32Array {
  const [n, a, b, c] = dims as [number, number, number, number]; // toNhwc: a=C, b=H, c=W
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < a; p++)
      for (let q = 0; q < b; q++)
        for (let r = 0; r < c; r++) {
          const src = ((i * a + p) * b + q) * c + r;
          out[toNhwc ? ((i * b + q) * c + r) * a + p : ((i * c + r) * a + p) * b + q] = data[src]!;
        }
  return out;
}

/** Seeded values in [-1, 1). */
export function randomData(size: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: size }, () => rng.uniform() * 2 - 1);
}

/** Largest |a − b|. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Gives every weight seeded random values (variances positive), so no weight is a no-op. */
export function randomiseWeights(m: Model, seed: number): void {
  const rng = new Random(seed);
  for (const w of m.weights) {
    const positive = /variance/i.test(w.name);
    const values = Float32Array.from({ length: w.size }, () => (positive ? 0.5 + rng.uniform() : (rng.uniform() - 0.5) * 0.6));
    w.assign(new Tensor(values, w.shape));
  }
}

/** Debian's python (not the pyenv one first on PATH), when it can import `modules`; else why not. */
export function debianPython(modules: string[]): { python: string } | { skip: string } {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { skip: `${python} is missing` };
  try {
    execFileSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'pipe' });
    return { python };
  } catch {
    return { skip: `${python} cannot import ${modules.join(', ')} (apt-get install ${modules.map((m) => `python3-${m}`).join(' ')})` };
  }
}
