/**
 * The Keras Applications architectures: parameter counts exactly Keras's (as documented in
 * keras/src/applications and keras.io/api/applications: VGG16 138,357,544; VGG19 143,667,240;
 * ResNet50 25,636,712) and Keras's layer names, which is what loading a published weights file
 * by name relies on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import '../../src/io/index.js';
import { zoo } from '../../src/models/zoo.js';

const params = (m: { weights: { size: number }[] }) => m.weights.reduce((n, w) => n + w.size, 0);

describe('Keras Applications', () => {
  it('ResNet50: 25,636,712 parameters, Keras layer names; 23,587,712 without the top', () => {
    const m = zoo.resnet50();
    assert.equal(params(m), 25_636_712);
    const names = m.layers.map((l) => l.name);
    for (const n of [
      'conv1_pad',
      'conv1_conv',
      'conv1_bn',
      'pool1_pool',
      'conv2_block1_0_conv',
      'conv4_block6_out',
      'conv5_block3_3_bn',
      'avg_pool',
      'predictions',
    ])
      assert.ok(names.includes(n), n);
    assert.equal(params(zoo.resnet50({ includeTop: false, pooling: 'avg', inputShape: [64, 64, 3] })), 23_587_712);
  });

  it('VGG16 138,357,544 and VGG19 143,667,240 parameters with the top; 14,714,688 without', () => {
    const small = zoo.vgg16({ includeTop: false, inputShape: [32, 32, 3], pooling: 'max' });
    assert.equal(params(small), 14_714_688);
    assert.deepEqual(small.layers.map((l) => l.name).slice(1, 4), ['block1_conv1', 'block1_conv2', 'block1_pool']);
    assert.equal(params(zoo.vgg16()), 138_357_544);
    const vgg19 = zoo.vgg19();
    assert.equal(params(vgg19), 143_667_240);
    assert.deepEqual(vgg19.layers.map((l) => l.name).slice(-4), ['flatten', 'fc1', 'fc2', 'predictions']);
  });

  it('MobileNetV2 (alpha 1.0): 3,538,984 parameters, Keras layer names; alpha 0.35 without the top: 410,208; the CIFAR net unchanged', () => {
    const m = zoo.mobilenetV2({ alpha: 1.0 });
    assert.equal(params(m), 3_538_984);
    const names = m.layers.map((l) => l.name);
    for (const n of [
      'Conv1',
      'bn_Conv1',
      'expanded_conv_depthwise',
      'expanded_conv_project_BN',
      'block_1_pad',
      'block_16_project',
      'Conv_1_bn',
      'out_relu',
      'predictions',
    ])
      assert.ok(names.includes(n), n);
    assert.equal(m.name, 'mobilenetv2_1.00_224');
    assert.equal(params(zoo.mobilenetV2({ alpha: 0.35, includeTop: false, inputShape: [96, 96, 3] })), 410_208);
    const cifar = zoo.mobilenetV2({ inputShape: [32, 32, 3], classes: 10 });
    assert.equal(cifar.name, 'mobilenet_v2');
    assert.deepEqual(cifar.outputShape, [null, 10]);
  });

  it('refuses what Keras refuses', () => {
    assert.throws(
      () => zoo.vgg16({ inputShape: [16, 16, 3] }),
      /vgg16: input height and width must be at least 32, received \[16, 16, 3\]/,
    );
    assert.throws(() => zoo.resnet50({ pooling: 'mean' as never }), /expected pooling 'avg', 'max' or null/);
  });
});

describe('Keras Applications: published weight files load by layer name', () => {
  it('a file in the layout of resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5 (made with h5py) fills the named layers', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-apps-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'resnet50_notop.h5');
    const script = fileURLToPath(new URL('../../../test/fixtures/make_application_weights.py', import.meta.url));
    const r = spawnSync('/usr/bin/python3', [script, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const m = zoo.resnet50({ includeTop: false, inputShape: [32, 32, 3] });
    const untouched = Array.from(m.getLayer('conv2_block1_1_conv').weights[0]!.data);
    await m.loadWeights(file);
    const expected = (layer: number, size: number, weight = 0) =>
      Array.from({ length: size }, (_, i) => Math.fround((i % 97) / 97 + layer + 10 * weight));
    assert.deepEqual(Array.from(m.getLayer('conv1_conv').weights[0]!.data), expected(0, 7 * 7 * 3 * 64));
    const bn = m.getLayer('conv1_bn').weights.map((w) => Array.from(w.data));
    assert.deepEqual(bn, [expected(1, 64, 0), expected(1, 64, 1), expected(1, 64, 2), expected(1, 64, 3)]);
    assert.deepEqual(Array.from(m.getLayer('conv5_block3_3_conv').weights[1]!.data), expected(2, 2048, 1));
    assert.deepEqual(
      Array.from(m.getLayer('conv2_block1_1_conv').weights[0]!.data),
      untouched,
      'layers absent from the file keep their values',
    );
  });
});
