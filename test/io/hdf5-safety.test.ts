/**
 * HDF5 files crafted with h5py (an independent writer) to do what Keras's safe_get_h5_group and
 * safe_get_h5_dataset refuse: soft links, external links, external dataset storage, virtual
 * datasets, and a shape bomb (a chunked, compressed dataset declaring far more than is stored).
 * Each is refused with an error naming the file and the path inside it; the external file is
 * never read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import '../../src/io/index.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';

const python = '/usr/bin/python3';
let skip: string | false = false;
try {
  execFileSync(python, ['-c', 'import h5py'], { stdio: 'pipe' });
} catch {
  skip = 'h5py is not installed (apt-get install python3-h5py)';
}

const dir = mkdtempSync(join(tmpdir(), 'convkit-h5safety-'));

/** A weights file for one Dense(2) on 3 inputs, plus whatever `extra` (Python, with `f` open) adds. */
function craft(name: string, extra: string): string {
  const path = join(dir, name);
  const code = [
    'import h5py, numpy as np, sys',
    'f = h5py.File(sys.argv[1], "w")',
    'g = f.create_group("layers/dense/vars")',
    'g["0"] = np.ones((3, 2), "float32")',
    'g["1"] = np.zeros((2,), "float32")',
    extra,
    'f.close()',
  ].join('\n');
  execFileSync(python, ['-c', code, path], { cwd: dir });
  return path;
}

function model() {
  return sequential([layers.dense({ units: 2, inputShape: [3] })]);
}

describe('HDF5 safety (files crafted with h5py)', { skip }, () => {
  it('a plain file loads (the crafted layout is right)', async () => {
    const m = model();
    await m.loadWeights(craft('plain.weights.h5', ''));
    assert.deepEqual([...m.weights[0]!.data], [1, 1, 1, 1, 1, 1]);
  });

  const cases: [string, string, RegExp][] = [
    ['soft link', 'f["layers/alias"] = h5py.SoftLink("/layers/dense")', /expected no soft links, received a soft link at \/layers\/alias/],
    [
      'external link',
      'f["layers/other"] = h5py.ExternalLink("secret.h5", "/x")',
      /expected no external links, received an external link at \/layers\/other/,
    ],
    [
      'external dataset storage',
      'open("secret.bin", "wb").write(np.arange(6, dtype="float32").tobytes())\ndel g["0"]\ng.create_dataset("0", (3, 2), "float32", external=[("secret.bin", 0, 24)])',
      /\/layers\/dense\/vars\/0.*external storage is not allowed/,
    ],
    [
      'virtual dataset',
      'layout = h5py.VirtualLayout((3, 2), "float32")\nlayout[:] = h5py.VirtualSource("secret.h5", "x", shape=(3, 2))\ndel g["0"]\ng.create_virtual_dataset("0", layout)',
      /expected no virtual datasets, received a virtual dataset at \/layers\/dense\/vars\/0/,
    ],
    [
      'shape bomb',
      'f.create_dataset("bomb", (1 << 16, 1 << 16), "float32", chunks=(256, 256), compression="gzip")',
      /expected a dataset no larger than the file allows .*received shape \[65536, 65536\] \(17179869184 bytes\) at \/bomb/,
    ],
  ];
  for (const [what, extra, message] of cases) {
    it(`refuses ${what}`, async () => {
      const file = craft(`${what.replace(/ /g, '-')}.weights.h5`, extra);
      const m = model();
      const before = [...m.weights[0]!.data];
      await assert.rejects(m.loadWeights(file), (e: Error) => {
        assert.match(e.message, message);
        assert.ok(e.message.includes(file), e.message);
        return true;
      });
      assert.deepEqual([...m.weights[0]!.data], before, 'weights changed by a refused file');
    });
  }

  it('the external file is never read: its bytes never reach the model', async () => {
    writeFileSync(join(dir, 'secret.bin'), Buffer.from(new Float32Array([7, 7, 7, 7, 7, 7]).buffer));
    const file = craft('ext2.weights.h5', 'del g["0"]\ng.create_dataset("0", (3, 2), "float32", external=[("secret.bin", 0, 24)])');
    const m = model();
    await assert.rejects(m.loadWeights(file));
    assert.ok(!m.weights[0]!.data.includes(7));
    assert.equal(readFileSync(join(dir, 'secret.bin')).length, 24);
  });
});
