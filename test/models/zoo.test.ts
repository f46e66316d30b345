/**
 * The model zoo: parameter counts against the architectures' published or Keras figures,
 * output shapes, and a training step for each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import '../../src/backends/native-loader.js'; // CONVKIT_BACKEND=native runs these on the addon
import { zoo } from '../../src/models/zoo.js';
import { optimizers } from '../../src/optimizers/index.js';
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
    // mnistConv4, counted by hand: convs 320 + 9,248 + 18,496 + 36,928; five batch norms
    // 4·(32 + 32 + 64 + 64 + 128); dense 1,024·128 + 128 = 131,200 and 128·10 + 10 = 1,290.
    const conv4 = zoo.mnistConv4();
    assert.equal(conv4.countParams(), 320 + 9_248 + 18_496 + 36_928 + 4 * (32 + 32 + 64 + 64 + 128) + 131_200 + 1_290);
    assert.equal(conv4.countParams(), 198_762);
    assert.deepEqual(conv4.outputShape, [null, 10]);
    // He et al.'s ResNet-20 is 0.27 M; with bias-free convs before batch norm and 1×1 projection
    // shortcuts, 273,754 (Keras's example, which keeps the redundant conv biases, reports 274,442).
    const resnet = zoo.resnet20({ inputShape: [32, 32, 3], classes: 10 });
    assert.equal(resnet.countParams(), 273_754);
    assert.equal(resnet.countParams() + (16 * 7 + 32 * 6 + 64 * 6), 274_442);
    // vggSmall on 32×32×3, counted by hand: per block conv(3×3) + BN(4c) + conv + BN —
    // 32: 896 + 128 + 9,248 + 128; 64: 18,496 + 256 + 36,928 + 256; 128: 73,856 + 512 +
    // 147,584 + 512; then dense 4·4·128 → 128: 262,272, and 128 → 10: 1,290. Half of BN's is
    // the moving statistics: 2·(32 + 32 + 64 + 64 + 128 + 128) = 896.
    const vgg = zoo.vggSmall();
    assert.equal(vgg.countParams(), 10_400 + 55_936 + 222_464 + 262_272 + 1_290);
    assert.equal(
      vgg.nonTrainableWeights.reduce((n, w) => n + w.size, 0),
      896,
    );
    // mobilenetV2 on 32×32×3 (no biases before BN): stem 864 + BN 128; block(t=1, 16) dw 288 +
    // BN 128 + 32→16 512 + BN 64; block(t, c_in → c_out) = expand c_in·6c_in + BN 24c_in + dw 54c_in
    // + BN 24c_in + project 6c_in·c_out + BN 4c_out: 16→24 5,568; 24→24 9,456; 24→32 10,640;
    // 32→32 15,680 (twice); 32→64 21,952; 64→64 55,936 (twice); head 64→256 16,384 + BN 1,024;
    // dense 256·10 + 10 = 2,570. Non-trainable: half of all BN parameters, 16,512 / 2.
    const mobile = zoo.mobilenetV2();
    assert.equal(mobile.countParams(), 992 + 992 + 5_568 + 9_456 + 10_640 + 2 * 15_680 + 21_952 + 2 * 55_936 + 17_408 + 2_570);
    assert.equal(mobile.countParams(), 212_810);
    assert.equal(
      mobile.nonTrainableWeights.reduce((n, w) => n + w.size, 0),
      8_256,
    );
  });

  it('every model outputs softmax(logits) and takes one Adam step of the cross-entropy gradient', async () => {
    // The head is set to kernel 0 and bias ln(1..5), so every row's logits are that bias whatever
    // the features: p = (1, 2, 3, 4, 5)/15 exactly. For labels 0, 1, 2, 3 the mean loss's bias
    // gradient is g = p − (¼, ¼, ¼, ¼, 0), and Adam's first step (Keras, t = 1) moves the bias by
    // −lr·g/(|g| + ε/√(1 − β2)). Every other weight's gradient passes through the zero kernel: it is
    // exactly 0, and Adam leaves those weights exactly as they were.
    const bias = [1, 2, 3, 4, 5].map(Math.log);
    const p = [1, 2, 3, 4, 5].map((v) => v / 15);
    const g = p.map((v, c) => v - (c < 4 ? 0.25 : 0));
    const lr = 0.001;
    const expectedBias = bias.map((b, c) => b - (lr * g[c]!) / (Math.abs(g[c]!) + 1e-7 / Math.sqrt(0.001)));
    for (const [name, make] of Object.entries(zoo)) {
      setSeed(1);
      const mnistLike = name.startsWith('seed') || name === 'lenet5';
      const shape: [number, number, number] = mnistLike ? [28, 28, 1] : [32, 32, 3];
      const model = make({ inputShape: shape, classes: 5 });
      const head = model.layers[model.layers.length - 1]!;
      assert.equal(head.className, 'Dense', name);
      const [kernel, oldBias] = head.getWeights();
      const zeroKernel = new Tensor(new Float32Array(kernel!.size), kernel!.shape);
      // airbench's head has no bias (as airbench's): a zero kernel gives uniform probabilities.
      const want = oldBias ? p : p.map(() => 1 / 5);
      head.setWeights(oldBias ? [zeroKernel, new Tensor(Float32Array.from(bias), [5])] : [zeroKernel]);
      const x = images(4, shape);
      const probs = model.predict(x);
      assert.deepEqual(probs.shape, [4, 5], name);
      probs.data.forEach((v, i) => assert.ok(Math.abs(v - want[i % 5]!) < 1e-6, `${name}: p[${i}] = ${v}, expected ${want[i % 5]}`));

      model.compile({ optimizer: optimizers.adam({ learningRate: lr }), loss: 'sparseCategoricalCrossentropy' });
      const others = model.trainableWeights.filter((w) => !head.trainableWeights.includes(w));
      const before = others.map((w) => Float32Array.from(w.data));
      await model.fit(x, new Tensor(new Int32Array([0, 1, 2, 3]), [4]), { epochs: 1, batchSize: 4, verbose: 0 });
      const [, newBias] = head.getWeights();
      newBias?.data.forEach((v, c) =>
        assert.ok(Math.abs(v - expectedBias[c]!) < 2e-7, `${name}: bias[${c}] = ${v}, expected ${expectedBias[c]}`),
      );
      others.forEach((w, i) => assert.deepEqual(Array.from(w.data), Array.from(before[i]!), `${name}: ${w.name} has a zero gradient`));
    }
  });
});
