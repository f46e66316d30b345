/**
 * Learning-rate schedules at chosen steps (Keras 3 semantics), their configs and round trip,
 * and their use as an optimizer's learningRate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backends/index.js';
import { optimizers, scheduleFromConfig, schedules } from '../../src/optimizers/index.js';
import { tensor } from '../../src/tensor/tensor.js';
import { Variable } from '../../src/tensor/variable.js';

setBackend('ts');
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('learning-rate schedules', () => {
  it('exponentialDecay: continuous and staircase', () => {
    const smooth = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    close(smooth(0), 0.1);
    close(smooth(5), 0.1 * Math.SQRT1_2);
    close(smooth(20), 0.025);
    const stairs = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    close(stairs(9), 0.1);
    close(stairs(10), 0.05);
    close(stairs(15), 0.05);
  });

  it('cosineDecay: from the initial rate to alpha·initial, then flat', () => {
    const lr = schedules.cosineDecay({ initialLearningRate: 1, decaySteps: 100, alpha: 0.1 });
    close(lr(0), 1);
    close(lr(50), 0.9 * 0.5 + 0.1);
    close(lr(25), 0.9 * 0.5 * (1 + Math.SQRT1_2) + 0.1);
    close(lr(100), 0.1);
    close(lr(250), 0.1);
  });

  it('cosineDecay with warmup: linear rise to warmupTarget, then cosine decay from it', () => {
    const lr = schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 100, warmupTarget: 1, warmupSteps: 10 });
    close(lr(0), 0);
    close(lr(5), 0.5);
    close(lr(10), 1);
    close(lr(60), 0.5);
    close(lr(110), 0);
    close(lr(500), 0);
  });

  it('piecewiseConstant: boundaries are inclusive on the left value', () => {
    const lr = schedules.piecewiseConstant({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    assert.deepEqual(
      [0, 10, 11, 20, 21, 1000].map((s) => lr(s)),
      [1, 1, 0.5, 0.5, 0.1, 0.1],
    );
  });

  it('piecewiseLinear: interpolates between the points, constant outside them', () => {
    const lr = schedules.piecewiseLinear({ boundaries: [0, 10, 110], values: [0.2, 1, 0.1] });
    for (const [step, want] of [
      [0, 0.2],
      [5, 0.6],
      [10, 1],
      [60, 0.55],
      [110, 0.1],
      [500, 0.1],
    ] as const)
      close(lr(step), want);
    close(schedules.piecewiseLinear({ boundaries: [5], values: [0.3] })(0), 0.3);
    close(schedules.piecewiseLinear({ boundaries: [4, 8], values: [1, 2] })(2), 1);
  });

  it('refuses bad arguments, saying what it expected', () => {
    assert.throws(
      () => schedules.piecewiseLinear({ boundaries: [0, 10], values: [1] }),
      /piecewiseLinear: expected one value per boundary \(2\), received \[1\]/,
    );
    assert.throws(
      () => schedules.piecewiseLinear({ boundaries: [0, 0], values: [1, 2] }),
      /piecewiseLinear: expected increasing boundaries, received \[0,0\]/,
    );
    assert.throws(() => schedules.piecewiseConstant({ boundaries: [10], values: [1] }), /piecewiseConstant: expected 2 values/);
    assert.throws(
      () => schedules.piecewiseConstant({ boundaries: [10, 5], values: [1, 2, 3] }),
      /expected increasing boundaries, received \[10,5\]/,
    );
    assert.throws(() => schedules.exponentialDecay({ initialLearningRate: 1, decaySteps: 0, decayRate: 0.5 }), /decaySteps > 0/);
    assert.throws(() => scheduleFromConfig({ className: 'Cyclic', config: {} }), /unknown schedule class 'Cyclic'/);
  });

  it('getConfig and scheduleFromConfig round trip', () => {
    const made = [
      schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.9, staircase: true }),
      schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 50, alpha: 0.2, warmupTarget: 0.1, warmupSteps: 5 }),
      schedules.piecewiseConstant({ boundaries: [3, 8], values: [0.3, 0.2, 0.1] }),
      schedules.piecewiseLinear({ boundaries: [0, 9, 40], values: [0.1, 0.5, 0.01] }),
    ];
    for (const s of made) {
      const copy = scheduleFromConfig({ className: s.className, config: s.getConfig() });
      assert.deepEqual(copy.getConfig(), s.getConfig());
      for (const step of [0, 4, 9, 40, 100]) assert.equal(copy(step), s(step), `${s.className} at ${step}`);
    }
    assert.deepEqual(made[2]!.getConfig(), { boundaries: [3, 8], values: [0.3, 0.2, 0.1] });
  });

  it('drives an optimizer step by step, and the optimizer config records it', () => {
    const lr = schedules.piecewiseConstant({ boundaries: [0], values: [1, 0.1] });
    const opt = optimizers.sgd({ learningRate: lr });
    const w = new Variable(tensor([0]));
    opt.applyGradients([[w, tensor([1])]]); // step 0: lr 1
    opt.applyGradients([[w, tensor([1])]]); // step 1: lr 0.1
    close(w.data[0]!, -1.1, 1e-6);
    assert.deepEqual(opt.getConfig()['learningRate'], {
      className: 'PiecewiseConstantDecay',
      config: { boundaries: [0], values: [1, 0.1] },
    });
  });
});
