/**
 * Mistakes a user makes with compile, fit, evaluate and predict (issue 8, "Errors that mislead"):
 * each gets an error that names the argument, what was expected and what was received, in the
 * user's own terms (their shape, their sample index), before any work is done; and what Keras or
 * TensorFlow.js users may write (plain nested arrays, callback objects, float64 data) works.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { input, layers } from '../../src/layers/index.js';
import { model as functionalModel } from '../../src/models/functional.js';
import { sequential } from '../../src/models/sequential.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';
import type { Logs } from '../../src/training/callbacks.js';

setBackend('ts');

/** A tiny stand-in for the MNIST model: [n, 28, 28, 1] → 10 classes. */
function mnistLike(loss = 'categoricalCrossentropy', metrics: string[] = ['accuracy']) {
  const m = sequential([layers.flatten({ inputShape: [28, 28, 1] }), layers.dense({ units: 10, activation: 'softmax' })]);
  m.compile({ optimizer: 'sgd', loss, metrics });
  return m;
}

function images(n: number): Tensor {
  const rng = new Random(3);
  return new Tensor(
    Float32Array.from({ length: n * 784 }, () => rng.uniform()),
    [n, 28, 28, 1],
  );
}

function labels(n: number): Tensor {
  return new Tensor(
    Int32Array.from({ length: n }, (_, i) => i % 10),
    [n],
  );
}

function oneHotRows(n: number, classes = 10): Tensor {
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) y[i * classes + (i % classes)] = 1;
  return new Tensor(y, [n, classes]);
}

const weightsOf = (m: { weights: { data: ArrayLike<number> }[] }) => m.weights.map((w) => Array.from(w.data));

interface Case {
  name: string;
  run: () => unknown;
  error: RegExp;
}

const cases: Case[] = [
  {
    name: 'input of another image size: the user shape, not a batch chunk',
    run: () => mnistLike().fit(zeros([40, 32, 32, 3]), oneHotRows(40)),
    error: /^fit: expected x of shape \(None, 28, 28, 1\) \(the input of model "sequential(_\d+)?"\), received \(40, 32, 32, 3\)$/,
  },
  {
    name: 'one image without a batch axis',
    run: () => mnistLike().predict(zeros([28, 28, 1])),
    error: /predict: x has shape \(28, 28, 1\), one sample without a batch axis; add a batch axis: shape \[1, 28, 28, 1\]/,
  },
  {
    name: 'integer labels for a categorical loss: the user target shape',
    run: () => mnistLike().fit(images(500), labels(500), { verbose: 0 }),
    error:
      /fit: loss 'categoricalCrossentropy' expects y of shape \(500, 10\) .*received \(500,\); integer labels need 'sparseCategoricalCrossentropy'/,
  },
  {
    name: 'evaluate on zero samples',
    run: () => mnistLike().evaluate(zeros([0, 28, 28, 1]), zeros([0, 10])),
    error: /evaluate: x holds no samples \(shape \(0, 28, 28, 1\)\); expected at least one/,
  },
  {
    name: 'fit on zero samples',
    run: () => mnistLike().fit(zeros([0, 28, 28, 1]), zeros([0, 10])),
    error: /fit: x holds no samples \(shape \(0, 28, 28, 1\)\)/,
  },
  {
    name: 'compile without an optimizer',
    run: () => sequential([layers.dense({ units: 2, inputShape: [3] })]).compile({ loss: 'meanSquaredError' } as never),
    error: /compile: expected optimizer \(a name such as 'adam'.*received none/,
  },
  {
    name: 'compile without arguments',
    run: () => sequential([layers.dense({ units: 2, inputShape: [3] })]).compile(undefined as never),
    error: /compile: expected an options object \{ optimizer, loss, metrics \}, received undefined/,
  },
  {
    name: 'compile without a loss',
    run: () => sequential([layers.dense({ units: 2, inputShape: [3] })]).compile({ optimizer: 'adam' } as never),
    error: /compile: expected loss to be a name such as 'categoricalCrossentropy' or a function.*received undefined/,
  },
  {
    name: 'ragged nested arrays',
    run: () =>
      sequential([layers.dense({ units: 2, inputShape: [3] })]).predict([
        [1, 2, 3],
        [4, 5],
      ]),
    error: /predict: x is not rectangular: x\[1\] has length 2, expected an array of length 3/,
  },
  {
    name: 'a string where data goes',
    run: () => sequential([layers.dense({ units: 2, inputShape: [3] })]).predict('images' as never),
    error: /predict: expected x to be a Tensor or a nested array of numbers, received the string "images"/,
  },
  {
    name: 'kernel_size (Python spelling) instead of kernelSize',
    run: () => layers.conv2d({ filters: 8, kernel_size: 3 } as never),
    error: /unknown option 'kernel_size'; did you mean kernelSize\?/,
  },
  {
    name: 'no kernelSize',
    run: () => layers.conv2d({ filters: 8 } as never),
    error: /Conv2D "conv2d(_\d+)?": expected kernelSize to be a positive integer or a pair of them, received undefined/,
  },
  {
    name: 'inputShape: [-1]',
    run: () => layers.dense({ units: 2, inputShape: [-1] }),
    error: /expected the input shape \(inputShape, or input\(\{ shape \}\)\) to be a list of positive integers .*received \[-1\]/,
  },
  ...[0, -1, 2.5, NaN].flatMap((batchSize): Case[] => [
    {
      name: `predict batchSize ${batchSize}`,
      run: () => mnistLike().predict(images(4), { batchSize }),
      error: new RegExp(`predict: expected batchSize to be a positive integer, received ${batchSize}$`),
    },
    {
      name: `evaluate batchSize ${batchSize}`,
      run: () => mnistLike().evaluate(images(4), oneHotRows(4), { batchSize }),
      error: new RegExp(`evaluate: expected batchSize to be a positive integer, received ${batchSize}$`),
    },
  ]),
  {
    name: 'a sparse metric on one-hot targets',
    run: () => mnistLike('categoricalCrossentropy', ['sparseCategoricalAccuracy']).fit(images(20), oneHotRows(20), { verbose: 0 }),
    error:
      /fit: metric 'sparseCategoricalAccuracy' expects y of shape \(20,\) or \(20, 1\) \(integer class indices\) .*received \(20, 10\); one-hot targets need 'categoricalCrossentropy'/,
  },
  {
    name: 'fit options in Python spelling',
    run: () => mnistLike().fit(images(4), oneHotRows(4), { batch_size: 2 } as never),
    error: /fit: unknown option 'batch_size'; did you mean batchSize\?/,
  },
  {
    name: 'a callback that is neither a Callback nor hooks',
    run: () => mnistLike().fit(images(4), oneHotRows(4), { callbacks: [42] } as never),
    error: /fit: expected callbacks\[0\] to be a Callback or an object of hooks/,
  },
  {
    name: 'a hooks object with a misspelt hook',
    run: () => mnistLike().fit(images(4), oneHotRows(4), { callbacks: { onEpochEnds: () => {} } } as never),
    error: /unknown callback hook 'onEpochEnds'; expected one of onTrainBegin/,
  },
  {
    name: 'one tensor for a model of two inputs',
    run: () => twoInputModel().predict(zeros([2, 3])),
    error: /predict: model "two_inputs" has 2 inputs; expected x as an array of 2 tensors, received a float32 tensor of shape \(2, 3\)/,
  },
];

function twoInputModel() {
  const a = input({ shape: [3] });
  const b = input({ shape: [2] });
  const joined = layers.concatenate().apply([a, b]);
  const m = functionalModel({
    inputs: [a, b],
    outputs: layers.dense({ units: 2, activation: 'softmax' }).apply(joined),
    name: 'two_inputs',
  });
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('bad input to compile, fit, evaluate and predict', () => {
  for (const c of cases) {
    it(c.name, async () => {
      await assert.rejects(
        async () => c.run(),
        (err: unknown) => {
          assert.ok(err instanceof Error, 'an Error');
          assert.ok(!(err instanceof TypeError), `not a TypeError: ${err.message}`);
          assert.match(err.message, c.error);
          return true;
        },
      );
    });
  }

  it('a sparse label out of range: checked before the first step, naming the sample in the user array', async () => {
    setSeed(1);
    const m = mnistLike('sparseCategoricalCrossentropy');
    const y = labels(500);
    y.data[300] = 15;
    const before = weightsOf(m);
    await assert.rejects(
      m.fit(images(500), y, { batchSize: 32, verbose: 0 }),
      /fit: y\[300\] is 15, expected a class index in \[0, 9\] \(the model's output has 10 classes\)/,
    );
    assert.deepEqual(weightsOf(m), before, 'no step was taken');
    await assert.rejects(m.evaluate(images(500), y), /evaluate: y\[300\] is 15/);
  });

  it('accepts plain nested arrays for x and y (as Keras lists and tfjs arrays)', async () => {
    setSeed(1);
    const m = sequential([layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })]);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = [
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ];
    const h = await m.fit(x, [0, 1, 0, 1], { epochs: 2, verbose: 0 });
    assert.equal(h.history['loss']!.length, 2);
    const p = m.predict(x);
    assert.deepEqual(p.shape, [4, 2]);
    const [loss] = await m.evaluate(x, [0, 1, 0, 1]);
    assert.ok(Number.isFinite(loss));
  });

  it('accepts labels of shape (n,) for a one-unit output, as Keras 3 (squeeze_or_expand_to_same_rank)', async () => {
    setSeed(1);
    const m = sequential([layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })]);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = [
      [1, 0],
      [0, 1],
    ];
    const h = await m.fit(x, [1, 0], { epochs: 1, verbose: 0 });
    const [loss, accuracy] = await m.evaluate(x, [1, 0]);
    assert.equal(h.history['loss']!.length, 1);
    assert.ok(Number.isFinite(loss) && accuracy! >= 0);
  });

  it('accepts TF.js-style callback objects, alone or in a list', async () => {
    const m = mnistLike();
    const seen: number[] = [];
    const batches: number[] = [];
    await m.fit(images(8), oneHotRows(8), {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      callbacks: { onEpochEnd: (epoch: number, logs: Logs) => void seen.push(epoch, Math.sign(logs['loss']!)) },
    });
    assert.deepEqual(seen, [0, 1, 1, 1]);
    await m.fit(images(8), oneHotRows(8), {
      epochs: 1,
      batchSize: 4,
      verbose: 0,
      callbacks: [{ onBatchEnd: (b: number) => void batches.push(b) }],
    });
    assert.deepEqual(batches, [0, 1]);
  });

  it('float64 data trains a float32 model as float32 data does (Keras casts to the model dtype)', async () => {
    const run = async (x: Tensor) => {
      setSeed(5);
      const m = mnistLike();
      await m.fit(x, oneHotRows(16), { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
      return weightsOf(m);
    };
    const x32 = images(16);
    const x64 = new Tensor(Float64Array.from(x32.data), x32.shape);
    assert.deepEqual(await run(x64), await run(x32));
  });

  it('refuses a second fit on a model while the first runs, and the first completes', async () => {
    const m = mnistLike();
    const first = m.fit(images(64), oneHotRows(64), { epochs: 2, batchSize: 8, verbose: 0 });
    await assert.rejects(m.fit(images(8), oneHotRows(8), { verbose: 0 }), /fit: model "sequential(_\d+)?" is already training/);
    const h = await first;
    assert.equal(h.history['loss']!.length, 2);
    await m.fit(images(8), oneHotRows(8), { verbose: 0 }); // free again afterwards
  });
});
