/**
 * The native boundary is derived from the kernel spec (KERNEL_SPECS in src/backends/kernels.ts): the addon
 * must export exactly one function per kernel name plus `info`, `setIsa` and `freeBuffer` (a kernel added to the
 * spec but not bound in C++, or a binding under a misspelt name, fails here). Every output rule
 * must agree with what the ts reference returns, and every kernel must be called by a
 * native-versus-ts parity suite (a kernel added without one fails here).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KERNEL_NAMES, KERNEL_SPECS } from '../../src/backends/kernels.js';
import { ADDON_EXTRAS } from '../../src/backends/native-addon.js';
import { loadNativeBackend } from '../../src/backends/native-loader.js';
import { tsKernels as ts } from '../../src/backends/ts/index.js';
import { convGeometry, poolGeometry } from './parity-util.js';

const loaded = loadNativeBackend();

describe('the addon exports exactly the spec', { skip: 'error' in loaded ? loaded.error : false }, () => {
  it('one function per kernel name, plus info and setIsa', () => {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    const path = process.env['CONVKIT_NATIVE_ADDON'] || join(dir, 'native', 'build', 'Release', 'convkit.node');
    const addon = createRequire(import.meta.url)(path) as Record<string, unknown>;
    const exported = Object.keys(addon).sort();
    assert.deepEqual(exported, [...KERNEL_NAMES, ...ADDON_EXTRAS].sort());
    for (const name of exported) assert.equal(typeof addon[name], 'function', name);
  });
  it('freeBuffer detaches an ArrayBuffer (its memory is freed now) and refuses anything else', () => {
    const r = loadNativeBackend();
    assert.ok('backend' in r);
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    const path = process.env['CONVKIT_NATIVE_ADDON'] || join(dir, 'native', 'build', 'Release', 'convkit.node');
    const addon = createRequire(import.meta.url)(path) as { freeBuffer(b: unknown): boolean };
    const view = new Float32Array(Buffer.allocUnsafeSlow(4096).buffer).fill(1);
    assert.equal(addon.freeBuffer(view.buffer), true);
    assert.equal(view.buffer.byteLength, 0, 'detached');
    assert.equal(view.length, 0);
    assert.throws(() => addon.freeBuffer(view), /freeBuffer: expected one ArrayBuffer argument/);
  });
});

describe('the output rules match the reference kernels', () => {
  it('sizes of single and named outputs', () => {
    const g = convGeometry({ batch: 2, h: 5, w: 6, cin: 3, cout: 4, kh: 3, kw: 2 });
    const x = new Float32Array(2 * 5 * 6 * 3);
    const f = new Float32Array(3 * 2 * 3 * 4);
    assert.equal(KERNEL_SPECS.conv2d.sizes(x, f, null, g, 'linear'), ts.conv2d(x, f, null, g, 'linear').length);
    const p = poolGeometry({ batch: 2, h: 5, w: 6, c: 3, ph: 2, pw: 2 });
    const pooled = ts.maxPool2d(x, p);
    assert.deepEqual(KERNEL_SPECS.maxPool2d.sizes(x, p), { y: pooled.y.length, argmax: pooled.argmax.length });
    assert.deepEqual(KERNEL_SPECS.maxPool2d.outputs, { record: { y: 'float', argmax: 'int32' } });
    const shapes = [
      [2, 3],
      [2, 5],
    ];
    const parts = [new Float32Array(6), new Float32Array(10)];
    assert.equal(KERNEL_SPECS.concat.sizes(parts, shapes, 1), ts.concat(parts, shapes, 1).length);
    assert.equal(KERNEL_SPECS.argMax.sizes(new Float32Array(24), [2, 3, 4], 1), 8);
    assert.deepEqual(KERNEL_SPECS.argMax.outputs, { one: 'out', kind: 'int32' });
    assert.equal(KERNEL_SPECS.sgdUpdate.sizes(x, x, null, { learningRate: 1, momentum: 0, nesterov: false }), 'inPlace');
  });
});

describe('every kernel has a parity test', () => {
  it('each kernel name is called in a parity suite (native-parity*.test, update-kernels.test, or an op test with describeParity)', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const ops = join(here, '..', 'ops');
    const isTest = (f: string) => /\.test\.(js|ts)$/.test(f);
    const suites = [
      ...readdirSync(here)
        .filter((f) => /^(native-parity.*|update-kernels)\.test\.(js|ts)$/.test(f))
        .map((f) => join(here, f)),
      ...readdirSync(ops)
        .filter(isTest)
        .map((f) => join(ops, f))
        .filter((f) => readFileSync(f, 'utf8').includes('describeParity(')),
    ];
    const text = suites.map((f) => readFileSync(f, 'utf8')).join('\n');
    const missing = KERNEL_NAMES.filter((name) => !new RegExp(`\\bkk?\\.${name}\\(`).test(text));
    assert.deepEqual(missing, [], `kernels without a parity test (suites read: ${suites.join(', ')})`);
  });
});
