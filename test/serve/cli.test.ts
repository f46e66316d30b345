/**
 * `convkit serve` as a user runs it: a model saved with `model.save` (m.keras and model.json)
 * served by the CLI in a child process on a free port answers :predict as the model does in
 * process; SIGTERM stops it with exit code 0; usage errors exit 2 and a missing file exits 1,
 * each with one line naming the problem.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { modelName } from '../../src/cli/serve.js';
import { tensor } from '../../src/tensor/tensor.js';
import { greyModel, nest, samplePixels } from './helpers.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));

describe('convkit serve (CLI)', () => {
  it('serves m.keras and web/model.json by name; answers like the model in process; SIGTERM exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-serve-'));
    const model = greyModel();
    await model.save(join(dir, 'm.keras'));
    mkdirSync(join(dir, 'web'));
    await model.save(join(dir, 'web', 'model.json'));
    const child = spawn(process.execPath, [bin, 'serve', join(dir, 'm.keras'), `tfjs=${join(dir, 'web', 'model.json')}`, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Serving m, tfjs at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    try {
      const pixels = samplePixels(784, 9);
      const expected = Array.from(model.predict(tensor(pixels, [1, 28, 28, 1])).data);
      for (const name of ['m', 'tfjs']) {
        const res = await fetch(`${url}/v1/models/${name}:predict`, {
          method: 'POST',
          body: JSON.stringify({ instances: [nest(pixels, [28, 28, 1])] }),
        });
        assert.equal(res.status, 200, name);
        const row = ((await res.json()) as { predictions: number[][] }).predictions[0]!;
        row.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${name}[${i}]: ${v} vs ${expected[i]}`));
      }
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
  });

  it('usage errors exit 2, a missing file exits 1, each with one line', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'serve', ...args], { encoding: 'utf8' });
    const none = run('--port', '0');
    assert.equal(none.status, 2);
    assert.equal(none.stderr.trim(), 'convkit: no model to serve: give a model file (m.keras, model.json) or --demo (see --help)');
    assert.equal(run('m.keras', '--bogus').status, 2);
    const missing = run('/nonexistent/m.keras', '--port', '0');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^convkit: .*\/nonexistent\/m\.keras/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
  });

  it('names a served file after it', () => {
    assert.equal(modelName('/a/b/mnist.keras'), 'mnist');
    assert.equal(modelName('out/web_model/model.json'), 'web_model');
    assert.equal(modelName('my model.h5'), 'my_model');
  });
});
