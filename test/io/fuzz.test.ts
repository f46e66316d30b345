/**
 * Fuzzing each reader (`.keras`, legacy `.h5`, `model.json` + shards) with a fixed seed: 1,000+
 * mutated files each (truncations, bit flips, overwritten runs, edited JSON: NaN, huge and
 * negative dimensions, wrong classes and shapes). Every load must either give a model or reject
 * with an Error that names the file; never crash, hang, or throw something anonymous. Weight
 * allocations are bounded by what the file stores (withWeightBudget), so a config cannot
 * declare a huge model.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadModel } from '../../src/io/index.js';
import { readZip, writeZip } from '../../src/io/zip.js';
import { input, layers } from '../../src/layers/index.js';
import { model as functional } from '../../src/models/functional.js';
import { setSeed } from '../../src/tensor/random.js';

const MUTANTS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'convkit-fuzz-'));

/** mulberry32: a small seeded generator, so every CI run fuzzes the same files. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function smallModel() {
  setSeed(9);
  const x = input({ shape: [6, 6, 2] });
  const c = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const b = layers.batchNormalization().apply(c);
  const f = layers.flatten().apply(layers.maxPooling2d().apply(b));
  const m = functional({ inputs: x, outputs: layers.dense({ units: 4, activation: 'softmax' }).apply(f) });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Byte-level damage: truncation, bit flips, an overwritten run, or a length-preserving shuffle. */
function mutateBytes(bytes: Uint8Array, r: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const pick = r();
  if (pick < 0.25) return out.subarray(0, Math.floor(r() * bytes.length));
  if (pick < 0.6) {
    const flips = 1 + Math.floor(r() * 8);
    for (let i = 0; i < flips; i++) out[Math.floor(r() * out.length)]! ^= 1 << Math.floor(r() * 8);
    return out;
  }
  const at = Math.floor(r() * out.length);
  const len = 1 + Math.floor(r() * 16);
  const fill = [0x00, 0xff, 0x7f, Math.floor(r() * 256)][Math.floor(r() * 4)]!;
  for (let i = at; i < Math.min(out.length, at + len); i++) out[i] = r() < 0.5 ? fill : Math.floor(r() * 256);
  return out;
}

const EVIL_VALUES: unknown[] = [NaN, 1e12, -1, 0, 2 ** 31, 1.5, null, 'x', [], {}, [1e9, 1e9], true, 'Lambda', -1e308];

/** JSON-level damage: one value replaced, a key dropped, or a class renamed, somewhere in the tree. */
function mutateJson(value: unknown, r: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const nodes: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        nodes.push([v, i]);
        walk(x);
      });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        nodes.push([v as Record<string, unknown>, k]);
        walk(x);
      }
    }
  };
  walk(copy);
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits && nodes.length > 0; e++) {
    const [parent, key] = nodes[Math.floor(r() * nodes.length)]!;
    const choice = r();
    if (choice < 0.2 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = EVIL_VALUES[Math.floor(r() * EVIL_VALUES.length)];
  }
  return copy;
}

/** Loads `path`; returns a description of anything that is not a model or a clear, file-naming error. */
async function misbehaviour(path: string, label: string, outcomes: Map<string, number>): Promise<string | null> {
  try {
    await loadModel(path);
    outcomes.set('loaded', (outcomes.get('loaded') ?? 0) + 1);
    return null;
  } catch (e) {
    if (!(e instanceof Error)) return `${label}: threw a non-Error ${String(e)}`;
    if (!e.message.includes(path)) return `${label}: error does not name the file: ${e.message.slice(0, 300)}`;
    const kind = e.message
      .slice(path.length)
      .replace(/[0-9]+/g, 'N')
      .slice(0, 60);
    outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    return null;
  }
}

async function fuzz(label: string, count: number, make: (i: number, r: () => number) => string): Promise<void> {
  const r = rng(20261206);
  const problems: string[] = [];
  const before = process.memoryUsage();
  const outcomes = new Map<string, number>();
  const warn = console.warn; // skipped optimizer state is reported with a warning; not here
  console.warn = () => {};
  try {
    for (let i = 0; i < count; i++) {
      const path = make(i, r);
      const problem = await misbehaviour(path, `${label} #${i}`, outcomes);
      if (problem) problems.push(problem);
    }
  } finally {
    console.warn = warn;
  }
  if (process.env['CONVKIT_FUZZ_REPORT']) console.log(label, [...outcomes].sort((a, b) => b[1] - a[1]).slice(0, 25));
  // The mutants must exercise both paths: some still load, most are refused for several reasons.
  assert.ok((outcomes.get('loaded') ?? 0) > 0 && outcomes.size > 5, `too uniform: ${JSON.stringify([...outcomes])}`);
  const after = process.memoryUsage();
  assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${count} mutants misbehaved`);
  const grown = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed);
  assert.ok(grown < 300 * 1024 * 1024, `memory grew by ${grown} bytes over ${count} mutants`);
}

describe('fuzzing the readers (fixed seed)', () => {
  it(`.keras: ${MUTANTS} mutated archives (bytes, config.json, metadata)`, async () => {
    const base = join(dir, 'base.keras');
    await smallModel().save(base);
    const bytes = new Uint8Array(readFileSync(base));
    const members = readZip(bytes, base);
    const config = JSON.parse(new TextDecoder().decode(members.get('config.json')!));
    const target = join(dir, 'mutant.keras');
    await fuzz('.keras', MUTANTS, (i, r) => {
      if (i % 3 === 0) {
        const edited = new TextEncoder().encode(JSON.stringify(mutateJson(config, r)));
        writeFileSync(target, Buffer.concat(writeZip([...members].map(([k, v]) => [k, k === 'config.json' ? edited : v]))));
      } else if (i % 3 === 1) {
        // Damage inside the weights file, re-zipped so the archive itself is valid.
        writeFileSync(target, Buffer.concat(writeZip([...members].map(([k, v]) => [k, k === 'model.weights.h5' ? mutateBytes(v, r) : v]))));
      } else writeFileSync(target, mutateBytes(bytes, r));
      return target;
    });
  });

  it(`.h5: ${MUTANTS} mutated legacy files (bytes, model_config JSON text)`, async () => {
    const base = join(dir, 'base.h5');
    await smallModel().save(base);
    const bytes = new Uint8Array(readFileSync(base));
    const text = Buffer.from(bytes).toString('latin1');
    const start = text.indexOf('{"class_name"');
    assert.ok(start > 0, 'model_config JSON not found in the file');
    const end = start + text.slice(start).indexOf('\u0000');
    const target = join(dir, 'mutant.h5');
    await fuzz('.h5', MUTANTS, (i, r) => {
      let out: Uint8Array;
      if (i % 2 === 0) {
        // Same-length edits inside the JSON attribute: digits, quotes and brackets.
        out = Uint8Array.from(bytes);
        const edits = 1 + Math.floor(r() * 4);
        for (let e = 0; e < edits; e++) out[start + Math.floor(r() * (end - start))] = '9-"}]:x '.charCodeAt(Math.floor(r() * 8));
      } else out = mutateBytes(bytes, r);
      writeFileSync(target, out);
      return target;
    });
  });

  it(`model.json: ${MUTANTS} mutated manifests, topologies and shards`, async () => {
    const folder = join(dir, 'tfjs');
    mkdirSync(folder);
    await smallModel().save(join(folder, 'model.json'), { shardBytes: 256 });
    const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const shards = json.weightsManifest[0]!.paths.map((p) => [p, new Uint8Array(readFileSync(join(folder, p)))] as const);
    const mutantDir = join(dir, 'tfjs-mutant');
    await fuzz('model.json', MUTANTS, (i, r) => {
      rmSync(mutantDir, { recursive: true, force: true });
      mkdirSync(mutantDir);
      let modelJson: unknown = json;
      const kind = i % 4;
      if (kind === 0) modelJson = mutateJson(json, r);
      for (const [name, data] of shards) writeFileSync(join(mutantDir, name), kind === 1 && r() < 0.5 ? mutateBytes(data, r) : data);
      if (kind === 2) {
        const text = new TextEncoder().encode(JSON.stringify(json));
        writeFileSync(join(mutantDir, 'model.json'), mutateBytes(text, r));
      } else writeFileSync(join(mutantDir, 'model.json'), JSON.stringify(modelJson));
      if (kind === 3) {
        // A shard missing, or one more byte than the manifest says.
        const [name, data] = shards[Math.floor(r() * shards.length)]!;
        if (r() < 0.5) rmSync(join(mutantDir, name));
        else writeFileSync(join(mutantDir, name), Uint8Array.from([...data, 1]));
      }
      return join(mutantDir, 'model.json');
    });
    assert.ok(readdirSync(mutantDir).length > 0);
  });
});
