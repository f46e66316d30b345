/**
 * `convkit train --recipe NAME` and `--data-dir DIR` end to end on small slices: the recipe is
 * listed in --help, trains with its augmentation pipeline and ends with the test accuracy line;
 * a folder of class subfolders trains; wrong recipe names and folders fail with one line.
 * (The accuracy floors need full runs: see the README's Recipes section for the commands.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeTwoColourFolder } from '../helpers/image-folder.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));

function convkit(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('convkit train --recipe / --data-dir', () => {
  it('lists the recipes in --help and refuses an unknown one', () => {
    const help = convkit(['train', '--help']);
    assert.match(help.stdout, /mnist-augmented\s+mnistConv4 on MNIST/);
    assert.match(help.stdout, /cifar10-resnet20\s+ResNet-20 on CIFAR-10/);
    assert.match(help.stdout, /cifar10-airbench\s+airbench 64\/128\/256 on CIFAR-10/);
    const bad = convkit(['train', '--recipe', 'imagenet']);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr.trim(),
      "convkit: option --recipe: expected one of mnist-augmented, cifar10-resnet20, cifar10-airbench, received 'imagenet'",
    );
  });

  it('mnist-augmented on a slice: summary, epochs, training time, test accuracy', () => {
    const r = convkit(['train', '--recipe', 'mnist-augmented', '--epochs', '2', '--limit', '512', '--batch-size', '64', '--verbose', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /mnist-augmented: .* 512 training and 512 test images/);
    assert.match(r.stdout, /Epoch 2\/2\n8\/8 - .* - val_accuracy: 0\.\d{4}/);
    assert.match(r.stdout, /Training time: \d+\.\d s\nTest accuracy: [01]\.\d{4}\n$/);
    const losses = [...r.stdout.matchAll(/ - loss: (\d\.\d{4})/g)].map((m) => Number(m[1]));
    assert.ok(losses.length === 2 && losses[1]! < losses[0]!, `the training loss went down: ${losses}`);
  });

  it('cifar10-airbench on a slice: whitened stem, lookahead, test accuracy with and without test-time views', async (t) => {
    const shared =
      process.env['CONVKIT_CIFAR10_DIR'] || fileURLToPath(new URL('../../../../shared/datasets/cifar10-jpeg', import.meta.url));
    if (!existsSync(join(shared, 'data_batch_1.bin'))) {
      t.skip(`${shared} absent: set CONVKIT_CIFAR10_DIR to a cifar-10-batches-bin folder`);
      return;
    }
    const r = convkit([
      'train',
      '--recipe',
      'cifar10-airbench',
      '--epochs',
      '2',
      '--limit',
      '1024',
      '--batch-size',
      '128',
      '--verbose',
      '2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cifar10-airbench: .* 1024 training and 1024 test images/);
    assert.match(r.stdout, /Total params: 1,162,144\nTrainable params: 1,160,064\n/);
    assert.match(r.stdout, /Epoch 2\/2\n8\/8 - .* - val_accuracy: 0\.\d{4}/);
    const accuracy =
      /Test accuracy without test-time views: (0\.\d{4})\nTest accuracy: (0\.\d{4}) \(averaged over mirrored and one-pixel-shifted views\)\n$/.exec(
        r.stdout,
      );
    assert.ok(accuracy, r.stdout.slice(-400));
    // Above chance (0.1) after 16 steps on 1,024 images: the stem whitens and the net learns.
    assert.ok(Number(accuracy[1]) > 0.15 && Number(accuracy[2]) > 0.15, `accuracies ${accuracy[1]}, ${accuracy[2]}`);
  });

  it('--data-dir trains on a folder of class subfolders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-cli-folder-'));
    try {
      await writeTwoColourFolder(dir);
      const r = convkit(['train', '--data-dir', dir, '--image-size', '16', '--epochs', '2', '--batch-size', '8', '--verbose', '0']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Found 20 files belonging to 2 classes\./);
      assert.match(r.stdout, /Test accuracy: \d\.\d{4} \(on the 4 held-out images of .*\)\n$/);
      const empty = join(dir, 'green');
      mkdirSync(empty);
      const bad = convkit(['train', '--data-dir', dir, '--epochs', '1']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /class folder '.*green' holds no images/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
