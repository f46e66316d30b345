/**
 * The browser-safe core (`convkit/core`, src/core.ts): esbuild bundles it for the browser platform
 * with no Node.js built-in anywhere in its import graph, and the bundle, run in a V8 context with
 * a browser's globals only (no process, Buffer, require or setImmediate), gives the seed model's
 * forward pass exactly as the unbundled core does under Node.js.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build, type Plugin } from 'esbuild';
import * as core from '../../src/core.js';

/** The compiled sources (build/src), what the package ships. */
const compiled = fileURLToPath(new URL('../../src/', import.meta.url));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Bundles `entry` for the browser; returns the code and every Node.js built-in the graph imports, with its importer. */
async function bundleForBrowser(entry: string): Promise<{ code: string; nodeImports: string[] }> {
  const nodeImports: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!builtins.has(args.path) && !args.path.startsWith('node:')) return undefined;
        nodeImports.push(`${args.path} (imported by ${args.importer.slice(compiled.length)})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [join(compiled, entry)],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'convkit',
    write: false,
    logLevel: 'silent',
    plugins: [recordBuiltins],
  });
  return { code: result.outputFiles[0]!.text, nodeImports };
}

/** The seed model's output for two fixed images: weights from seed 5, on the `ts` backend. */
function seedForward(lib: typeof core): number[] {
  lib.setBackend('ts');
  lib.setSeed(5);
  const model = lib.zoo.seedCnn();
  // A plain array: a typed array made here would belong to another realm than the bundle's.
  const images = Array.from({ length: 2 * 28 * 28 }, (_, i) => ((i * 7919) % 256) / 255);
  const probabilities = model.predict(lib.tensor(images, [2, 28, 28, 1]));
  return Array.from(probabilities.data);
}

describe('browser-safe core', () => {
  it('bundles for the browser with no Node.js built-in in its graph', async () => {
    const { code, nodeImports } = await bundleForBrowser('core.js');
    assert.deepEqual(nodeImports, [], `the core imports Node.js built-ins:\n${nodeImports.join('\n')}`);
    assert.ok(code.length > 10_000);
  });

  it('the check catches Node.js built-ins: the Node entry (native loader, file loaders) has them', async () => {
    const { nodeImports } = await bundleForBrowser('index.js');
    assert.ok(
      nodeImports.some((m) => m.startsWith('node:fs (imported by backends/native-loader.js)')),
      nodeImports.join('\n'),
    );
    assert.ok(nodeImports.some((m) => m.includes('data/')));
  });

  it("runs the bundled seed model's forward pass without Node.js globals, same numbers as unbundled", async () => {
    const { code } = await bundleForBrowser('core.js');
    // What a browser page has (and V8's own builtins); none of process, Buffer, require, setImmediate.
    const context = createContext({ console, setTimeout, clearTimeout, queueMicrotask, performance });
    const bundled = runInContext(`${code}; convkit`, context) as typeof core;
    assert.equal(runInContext('typeof process + typeof Buffer + typeof require', context), 'undefinedundefinedundefined');
    assert.equal(bundled.getBackend().name, 'ts', 'without the native loader, ts is the backend');
    assert.throws(() => bundled.setBackend('native'), /native backend requested but unavailable: it needs Node\.js/);

    const fromBundle = seedForward(bundled);
    const fromSources = seedForward(core);
    assert.equal(fromBundle.length, 20);
    assert.deepEqual(fromBundle, fromSources);
    for (let row = 0; row < 2; row++) {
      const sum = fromBundle.slice(row * 10, row * 10 + 10).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `softmax row ${row} sums to ${sum}`);
    }
  });

  it('fit runs from the bundle too', async () => {
    const { code } = await bundleForBrowser('core.js');
    const context = createContext({ console, setTimeout, clearTimeout, queueMicrotask, performance });
    const bundled = runInContext(`${code}; convkit`, context) as typeof core;
    bundled.setSeed(1);
    const model = bundled.sequential([bundled.layers.dense({ units: 2, activation: 'softmax', inputShape: [3] })]);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    for (const verbose of [0, 1] as const) {
      const history = await model.fit(bundled.tensor([[0, 1, 2]]), bundled.oneHot([1], 2), { epochs: 1, verbose });
      assert.equal(history.history['loss']?.length, 1);
    }
  });
});
