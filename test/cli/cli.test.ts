/**
 * The `convkit` command end to end: usage errors (one line, exit 2), help, `info`, and a short
 * real-MNIST training run that prints the summary, the per-epoch line, the test accuracy, and
 * writes the CSV log.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { optimizerFor } from '../../src/cli/train.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));

function convkit(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('convkit CLI', () => {
  it('refuses a wrong flag or value with one line and exit code 2', () => {
    for (const [args, message] of [
      [['train', '--epoch', '3'], "convkit: unknown option '--epoch' (see --help)"],
      [['train', '--epochs', 'three'], "convkit: option --epochs: expected an integer, received 'three'"],
      [['train', '--epochs', '0'], 'convkit: option --epochs: expected a positive value, received 0'],
      [['train', '--validation-split', '1.5'], 'convkit: option --validation-split: expected a value in [0, 1), received 1.5'],
      [['train', '--backend', 'gpu'], "convkit: option --backend: expected one of ts, native, received 'gpu'"],
      [['train', '--batch-size'], 'convkit: option --batch-size needs a value'],
      [
        ['train', '--lr-schedule', 'sideways'],
        "convkit: option --lr-schedule: expected one of constant, cosine, plateau, received 'sideways'",
      ],
      [['train', '--learning-rate', '-0.1'], 'convkit: option --learning-rate: expected a positive value, received -0.1'],
      [
        ['train', '--optimizer', 'adamm'],
        "convkit: option --optimizer: expected one of sgd, adam, adamW, adamax, nadam, adagrad, rmsprop, received 'adamm'",
      ],
      [['fly'], "convkit: unknown command 'fly'; expected train, predict, evaluate, summary, convert, serve, plot or info (see --help)"],
    ] as const) {
      const r = convkit([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: exit code`);
      assert.equal(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('convkit:') && !l.includes('native backend'))
          .join('\n'),
        message,
      );
    }
  });

  it('prints help for the command and for train', () => {
    const top = convkit(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Usage: convkit <command>/);
    const train = convkit(['train', '--help']);
    assert.equal(train.code, 0);
    for (const flag of [
      '--epochs',
      '--batch-size',
      '--validation-split',
      '--seed',
      '--backend',
      '--optimizer',
      '--learning-rate',
      '--lr-schedule',
      '--log',
      '--help',
    ])
      assert.ok(train.stdout.includes(flag), flag);
  });

  it('info names the backend in use', () => {
    const r = convkit(['info'], { CONVKIT_BACKEND: 'ts' });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^backend: ts$/m);
  });

  it('train runs the recipe on real MNIST and reports the test accuracy', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'convkit-cli-')), 'train.csv');
    const r = convkit(['train', '--epochs', '2', '--limit', '600', '--batch-size', '100', '--seed', '3', '--log', log]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Total params: 225,034/);
    assert.match(
      r.stdout,
      /Epoch 2\/2\n5\/5 \[={30}\] - \d+s \d+m?s\/step - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+\n/,
    );
    const accuracy = Number(/^Test accuracy: (\d\.\d{4})$/m.exec(r.stdout)?.[1]);
    assert.ok(accuracy > 0.5, `600 images, 2 epochs should already beat chance by far: ${accuracy}`);
    const rows = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'epoch,loss,accuracy,val_loss,val_accuracy,seconds');
    assert.equal(rows.length, 3);
  });

  it('--lr-schedule plateau adds ReduceLROnPlateau, whose learning rate the CSV log records', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'convkit-cli-')), 'plateau.csv');
    const args = ['train', '--epochs', '1', '--limit', '300', '--batch-size', '100', '--verbose', '0', '--log', log];
    const r = convkit([...args, '--lr-schedule', 'plateau', '--learning-rate', '0.002']);
    assert.equal(r.code, 0, r.stderr);
    const rows = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds');
    assert.equal(rows[1]!.split(',')[5], '0.002');
  });

  it('optimizerFor: the named optimizer, its default or the given rate, and cosine decay to 0 over the run', () => {
    assert.equal(optimizerFor({}, 'constant', 100).className, 'Adam');
    assert.equal(optimizerFor({}, 'constant', 100).currentLearningRate(), 0.001);
    assert.equal(optimizerFor({ optimizer: 'sgd' }, 'constant', 100).currentLearningRate(), 0.01);
    const cosine = optimizerFor({ optimizer: 'rmsprop', learningRate: 0.1 }, 'cosine', 100);
    assert.equal(cosine.className, 'RMSprop');
    assert.equal(cosine.currentLearningRate(), 0.1);
    cosine.iterations = 50;
    assert.ok(Math.abs(cosine.currentLearningRate() - 0.05) < 1e-12, `halfway: ${cosine.currentLearningRate()}`);
    cosine.iterations = 100;
    assert.ok(Math.abs(cosine.currentLearningRate()) < 1e-12, `at the end: ${cosine.currentLearningRate()}`);
  });

  it('same seed and backend, same numbers', () => {
    const numbers = () => {
      const r = convkit(['train', '--epochs', '1', '--limit', '300', '--batch-size', '50', '--seed', '9', '--verbose', '2']);
      assert.equal(r.code, 0, r.stderr);
      return [...r.stdout.matchAll(/(loss|accuracy): (\d\.\d{4})/g)].map((m) => m[0]);
    };
    const first = numbers();
    assert.ok(first.length >= 6);
    assert.deepEqual(numbers(), first);
  });
});
