/**
 * Saving is atomic: a child process saves a model over and over (every weight one constant per
 * save) and is killed with SIGKILL at several moments; the file left behind always loads, and all
 * its weights carry one save's constant (the old file or a complete new one, never a mix).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/io/index.js';
import type { Model } from '../../src/models/model.js';
import { zoo } from '../../src/models/zoo.js';

const index = join(dirname(fileURLToPath(import.meta.url)), '../../src/index.js');
const dir = mkdtempSync(join(tmpdir(), 'convkit-atomic-'));

/** ~1.2 M weights (~5 MB): large enough that a kill lands inside a save. */
const makeModel = (): Model => zoo.vggSmall({ inputShape: [32, 32, 3], classes: 10 });

function fill(model: Model, value: number): void {
  for (const w of model.weights) (w.data as Float32Array).fill(value);
}

function constantOf(model: Model, path: string): number {
  const first = model.weights[0]!.data[0]!;
  for (const w of model.weights) for (const v of w.data) if (v !== first) throw new Error(`${path}: a mix of saves (${first} and ${v})`);
  return first;
}

const child = `
import { zoo } from ${JSON.stringify(index)};
const model = zoo.vggSmall({ inputShape: [32, 32, 3], classes: 10 });
const paths = JSON.parse(process.argv[2]);
process.stdout.write('start\\n');
for (let k = 1; ; k++) {
  for (const w of model.weights) w.data.fill(k);
  for (const p of paths) await model.save(p);
  process.stdout.write(\`saved \${k}\\n\`);
}
`;

describe('atomic saves', () => {
  it('a process killed mid-save leaves the old file or a complete new one (.keras, .h5, model.json)', async () => {
    mkdirSync(join(dir, 'tfjs'));
    const paths = [join(dir, 'm.keras'), join(dir, 'm.h5'), join(dir, 'tfjs', 'model.json')];
    const original = makeModel();
    fill(original, 0.5);
    for (const p of paths) await original.save(p);
    const script = join(dir, 'saver.mjs');
    writeFileSync(script, child);
    const seen = new Set<number>();
    // First a kill as soon as the saver starts (inside its first save), then kills at several
    // moments after a first complete save (inside later ones).
    for (const [after, delay] of [
      ['start', 0],
      ['saved 1', 0],
      ['saved 1', 40],
      ['saved 1', 120],
      ['saved 1', 300],
    ] as const) {
      const proc = spawn(process.execPath, [script, JSON.stringify(paths)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        let text = '';
        proc.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes(after)) resolve();
        });
        proc.once('exit', (code) => reject(new Error(`saver exited early with ${code}`)));
      });
      await new Promise((r) => setTimeout(r, delay));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      for (const p of paths) seen.add(constantOf(await loadModel(p), p));
    }
    assert.ok(seen.size > 1, `every kill left the same saves (${[...seen].join(', ')}); the test did not exercise overwriting`);
  });
});
