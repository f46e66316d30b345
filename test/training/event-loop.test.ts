/**
 * fit, evaluate and predictAsync give the event loop a turn every ~100 ms (time-based, not per
 * epoch or batch): a setInterval timer in the same process keeps firing during one long epoch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Callback } from '../../src/training/callbacks.js';
import { YIELD_MS } from '../../src/training/event-loop.js';

setBackend('ts');

/** A model and data whose single epoch takes well over a second on the ts backend. */
function slowSetup() {
  setSeed(1);
  const rng = new Random(1);
  const n = 1024;
  const x = new Tensor(
    Float32Array.from({ length: n * 256 }, () => rng.normal()),
    [n, 256],
  );
  const y = new Tensor(
    Int32Array.from({ length: n }, (_, i) => i % 10),
    [n],
  );
  const m = sequential([
    layers.dense({ units: 256, activation: 'relu', inputShape: [256] }),
    layers.dense({ units: 256, activation: 'relu' }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return { m, x, y };
}

/** Counts timer ticks while `work` runs. */
async function ticksDuring(work: (ticks: () => number) => Promise<unknown>): Promise<{ ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const start = performance.now();
  try {
    await work(() => ticks);
  } finally {
    clearInterval(timer);
  }
  return { ticks, ms: performance.now() - start };
}

describe('event-loop turns', () => {
  it('a setInterval timer keeps firing during one long epoch of fit', async () => {
    const { m, x, y } = slowSetup();
    let duringEpoch = -1;
    let epochMs = 0;
    class AtEpochEnd extends Callback {
      private start = 0;
      override onEpochBegin(): void {
        this.start = performance.now();
      }
      override onEpochEnd(): void {
        epochMs = performance.now() - this.start;
      }
    }
    await ticksDuring(async (ticks) => {
      const probe = new AtEpochEnd();
      const read = { onEpochEnd: () => void (duringEpoch = ticks()) };
      await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [probe, read] });
    });
    assert.ok(epochMs > 3 * YIELD_MS, `the epoch is long enough to need turns (${epochMs.toFixed(0)} ms)`);
    // At least one tick per ~2 yield periods (a loaded machine stretches timers; the old per-epoch yield gave 0).
    const expected = Math.floor(epochMs / (2 * YIELD_MS)) - 1;
    assert.ok(duringEpoch >= Math.max(2, expected), `${duringEpoch} ticks during a ${epochMs.toFixed(0)} ms epoch`);
  });

  it('evaluate and predictAsync give turns too', async () => {
    const { m } = slowSetup();
    for (const name of ['evaluate', 'predictAsync'] as const) {
      // Grow the data until one call runs for over 3 yield periods (machines differ in speed).
      let result = { ticks: 0, ms: 0 };
      for (let n = 2048; result.ms <= 3 * YIELD_MS && n <= 2 ** 18; n *= 2) {
        const x = new Tensor(new Float32Array(n * 256), [n, 256]);
        const y = new Tensor(new Int32Array(n), [n]);
        result = await ticksDuring(() => (name === 'evaluate' ? m.evaluate(x, y, { batchSize: 4 }) : m.predictAsync(x, { batchSize: 4 })));
      }
      assert.ok(result.ms > 3 * YIELD_MS, `${name} ran long enough to need turns (${result.ms.toFixed(0)} ms)`);
      assert.ok(result.ticks >= 1, `${name}: ${result.ticks} ticks in ${result.ms.toFixed(0)} ms`);
    }
  });
});
