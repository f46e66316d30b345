/**
 * The model zoo: parameter counts against the architectures' published or Keras figures,
 * output shapes, and a training step for each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import '../../src/backends/native-loader.js'; // CONVKIT_BACKEND=native runs these on the addon
import { zoo } from '../../src/models/zoo.js';
import { Random, setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

setBackend(process.env['CONVKIT_BACKEND'] === 'native' ? 'native' : 'ts');

function images(n: number, shape: [number, number, number]): Tensor {
  const rng = new Random(1);
  const data = new Float32Array(n * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
  return new Tensor(data, [n, ...shape]);
}

describe('zoo', () => {
  it('parameter counts', () => {
    assert.equal(zoo.seedCnn().countParams(), 225_034);
    // LeNet-5 on 28×28 with 'same' first conv: 156 + 2,416 + 48,120 + 10,164 + 850.
    assert.equal(zoo.lenet5().countParams(), 61_706);
    // The seed model plus two BatchNormalizations (4·32 + 4·64, half of it non-trainable).
    const reg = zoo.seedCnnRegularized();
    assert.equal(reg.countParams(), 225_034 + 4 * 32 + 4 * 64);
    assert.equal(
      reg.nonTrainableWeights.reduce((n, w) => n + w.size, 0),
      2 * 32 + 2 * 64,
    );
    assert.deepEqual(
      reg.layers.filter((l) => l.className === 'BatchNormalization').map((l) => l.getConfig()['momentum']),
      [0.9, 0.9],
    );
    // He et al.'s ResNet-20 is 0.27 M; with bias-free convs before batch norm and 1×1 projection
    // shortcuts, 273,754 (Keras's example, which keeps the redundant conv biases, reports 274,442).
    const resnet = zoo.resnet20({ inputShape: [32, 32, 3], classes: 10 });
    assert.equal(resnet.countParams(), 273_754);
    assert.equal(resnet.countParams() + (16 * 7 + 32 * 6 + 64 * 6), 274_442);
    assert.ok(zoo.mobilenetV2().countParams() < 300_000);
    assert.ok(zoo.vggSmall().countParams() > 500_000);
  });

  it('every model maps a batch to class probabilities and takes a training step', async () => {
    for (const [name, make] of Object.entries(zoo)) {
      setSeed(1);
      const mnistLike = name.startsWith('seed') || name === 'lenet5';
      const shape: [number, number, number] = mnistLike ? [28, 28, 1] : [32, 32, 3];
      const model = make({ inputShape: shape, classes: 5 });
      const x = images(4, shape);
      const p = model.predict(x);
      assert.deepEqual(p.shape, [4, 5], name);
      for (let r = 0; r < 4; r++) {
        const rowSum = [0, 1, 2, 3, 4].reduce((s, c) => s + p.data[r * 5 + c]!, 0);
        assert.ok(Math.abs(rowSum - 1) < 1e-5, `${name}: softmax row ${r} sums to ${rowSum}`);
      }
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const before = Float32Array.from(model.trainableWeights[0]!.data);
      await model.fit(x, new Tensor(new Int32Array([0, 1, 2, 3]), [4]), { epochs: 1, batchSize: 4, verbose: 0 });
      assert.ok(
        model.trainableWeights[0]!.data.some((v, i) => v !== before[i]),
        `${name}: weights changed`,
      );
    }
  });
});
