/**
 * pythonFormat against Python's own str.format: every expected string below was printed by
 * /usr/bin/python3 (`template.format(**values)`), the function Keras's ModelCheckpoint calls in
 * _get_file_path (keras/src/callbacks/model_checkpoint.py).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonFormat } from '../../src/training/python-format.js';

const CASES: [string, Record<string, number>, string][] = [
  ['{epoch:02d}', { epoch: 3 }, '03'],
  ['ckpt-{epoch:03d}-{val_loss:.4f}.keras', { epoch: 12, val_loss: 0.123456 }, 'ckpt-012-0.1235.keras'],
  ['{x:e}', { x: 0.00012345 }, '1.234500e-04'],
  ['{x:.2e}', { x: -123456.0 }, '-1.23e+05'],
  ['{x:g}', { x: 0.0001 }, '0.0001'],
  ['{x:g}', { x: 1e-5 }, '1e-05'],
  ['{x:g}', { x: 123456789.0 }, '1.23457e+08'],
  ['{x:.3g}', { x: 2.5 }, '2.5'],
  ['{x:>8.2f}|', { x: 3.14159 }, '    3.14|'],
  ['{x:+.1f}', { x: 3.14159 }, '+3.1'],
  ['{x:08.3f}', { x: -3.14159 }, '-003.142'],
  ['{{lit}}-{x:.1%}', { x: 0.25 }, '{lit}-25.0%'],
  ['{x:,.2f}', { x: 1234567.891 }, '1,234,567.89'],
  ['{x:*^9.1f}', { x: 2.25 }, '***2.2***'],
  ['{x}', { x: 0.5 }, '0.5'],
  ['{x:5d}', { x: 42 }, '   42'],
];

describe('pythonFormat', () => {
  for (const [template, values, expected] of CASES) {
    it(`${template} with ${JSON.stringify(values)} → ${expected}`, () => assert.equal(pythonFormat(template, values), expected));
  }
  it('names a missing field, a bad spec and unbalanced braces', () => {
    assert.throws(() => pythonFormat('{val_loss:.2f}', { epoch: 1 }), /no value for \{val_loss\}; available: epoch/);
    assert.throws(() => pythonFormat('{epoch:.2q}', { epoch: 1 }), /invalid format spec ':\.2q' in \{epoch\}/);
    assert.throws(() => pythonFormat('{epoch:d}', { epoch: 1.5 }), /format code 'd' needs an integer/);
    assert.throws(() => pythonFormat('a}b', {}), /single '\}'/);
    assert.throws(() => pythonFormat('a{b', {}), /unclosed '\{'/);
  });
});
