/**
 * The CLI's training batch size (src/training/batch-size.ts): the default 200 unless one copy
 * of the layer outputs would pass the budget, then the largest batch within it; a requested
 * batch is used as given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zoo } from '../../src/models/zoo.js';
import { DEFAULT_TRAINING_BATCH, TRAINING_BUDGET_BYTES, trainingBatchSize } from '../../src/training/batch-size.js';

/** A model whose layers output `widths` values per sample. */
const fake = (...widths: number[]) => ({ layerOutputShapes: () => widths.map((w) => [null, w]) });

describe('trainingBatchSize', () => {
  it('the budget divided by the bytes of one sample’s input and layer outputs, rounded down', () => {
    // 5 input values + 4 + 6 layer values = 15 floats = 60 bytes per sample.
    assert.equal(trainingBatchSize(fake(4, 6), [5], undefined, { budgetBytes: 600 }), 10);
    assert.equal(trainingBatchSize(fake(4, 6), [5], undefined, { budgetBytes: 659 }), 10);
    assert.equal(trainingBatchSize(fake(4, 6), [5], undefined, { budgetBytes: 660 }), 11);
    assert.equal(trainingBatchSize(fake(4, 6), [5], undefined, { budgetBytes: 6000, max: 32 }), 32, 'at most max');
    assert.equal(trainingBatchSize(fake(4, 6), [5], undefined, { budgetBytes: 1 }), 1, 'at least one sample');
  });

  it('MobileNetV2 on CIFAR-10 images gets 130 (3.6 M layer-output values per sample); ResNet-20 and the seed CNN the default', () => {
    const cifar = { inputShape: [32, 32, 3] as [number, number, number], classes: 10 };
    assert.equal(trainingBatchSize(zoo.mobilenetV2(cifar), [32, 32, 3]), 130);
    assert.equal(trainingBatchSize(zoo.resnet20(cifar), [32, 32, 3]), DEFAULT_TRAINING_BATCH);
    assert.equal(trainingBatchSize(zoo.seedCnn({ inputShape: [28, 28, 1], classes: 10 }), [28, 28, 1]), DEFAULT_TRAINING_BATCH);
    assert.equal(TRAINING_BUDGET_BYTES, 1.75 * 2 ** 30);
  });

  it('a requested batch is used as given, even past the budget', () => {
    assert.equal(trainingBatchSize(fake(4, 6), [5], 500, { budgetBytes: 600 }), 500);
  });

  it('refuses a requested batch that is not a positive integer, saying what it received', () => {
    assert.throws(() => trainingBatchSize(fake(1), [1], 0), /expected a positive integer batch size, received 0/);
    assert.throws(() => trainingBatchSize(fake(1), [1], 2.5), /received 2\.5/);
  });
});
