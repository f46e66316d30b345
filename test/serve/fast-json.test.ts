/**
 * The numeric fast path of `:predict` bodies (fast-json.ts) against the general path it skips
 * (JSON.parse, then parsePredictBody): the same float32 bits for every kind of number (short
 * decimals, 17-digit doubles, exponents, negative zero, values next to float32 rounding
 * midpoints, outside float32's range), and null (general path) for everything else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNumericInstances } from '../../src/serve/fast-json.js';
import { parsePredictBody } from '../../src/serve/instances.js';

/** The general path's floats for a body of one-dimensional instances. */
function general(text: string, shape: number[]): Float32Array[] {
  return parsePredictBody(JSON.parse(text), shape, 1 << 20).instances as Float32Array[];
}

function bitsOf(rows: Float32Array[]): number[] {
  return rows.flatMap((r) => Array.from(new Uint32Array(r.buffer, r.byteOffset, r.length)));
}

/** Parses `numbers` (as text) both ways and compares the bits. */
function same(numbers: string[]): void {
  const text = `{"instances": [[${numbers.join(',')}]]}`;
  const fast = parseNumericInstances(Buffer.from(text), [numbers.length], 1024);
  assert.ok(fast, `fast path refused ${text.slice(0, 80)}`);
  const want = bitsOf(general(text, [numbers.length]));
  const got = bitsOf(fast.instances);
  const bad = got.findIndex((b, i) => b !== want[i]);
  assert.equal(bad, -1, bad >= 0 ? `${numbers[bad]}: fast ${got[bad]!.toString(16)}, JSON.parse ${want[bad]!.toString(16)}` : '');
}

/** A seeded uniform generator in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('parseNumericInstances', () => {
  it('gives the general path’s float32 bits for 40,000 numbers of every form', () => {
    const r = random(7);
    const numbers: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      numbers.push(String(r())); // 16–17 digit doubles in [0, 1), as JSON.stringify writes pixels
      numbers.push(String((r() - 0.5) * 10 ** Math.floor(r() * 40 - 20))); // wide range, exponent forms
      numbers.push((r() * 1000 - 500).toFixed(Math.floor(r() * 8))); // short decimals
      numbers.push(String(Math.fround(r() * 2 - 1))); // float32 values printed as doubles
    }
    numbers.push(
      '0',
      '-0',
      '-0.0',
      '1',
      '255',
      '1e3',
      '1E-3',
      '2.5e+2',
      '0.000001',
      '123456789012345678901234',
      '1e-50',
      '3e38',
      '4e38',
      '1e-39',
    );
    numbers.push('0.1234567890123456789012345', '99999999999999999999', '1.17549435e-38', '3.4028235e38', '3.4028235677973366e38');
    same(numbers);
  });

  it('rounds numbers next to a float32 rounding midpoint as JSON.parse then float32 does', () => {
    // For a float32 f and the next one up, the exact midpoint and the doubles a few ulps either side of it.
    const r = random(11);
    const numbers: string[] = [];
    const f64 = new Float64Array(1);
    const u64 = new BigUint64Array(f64.buffer);
    for (let i = 0; i < 3000; i++) {
      const f = Math.fround((r() * 2 - 1) * 10 ** Math.floor(r() * 12 - 6));
      const f32 = new Float32Array([f]);
      const u32 = new Uint32Array(f32.buffer);
      u32[0]! += 1;
      f64[0] = (f + f32[0]!) / 2; // exact: the midpoint fits a double
      for (const d of [-3n, -1n, 0n, 1n, 3n]) {
        const saved = u64[0]!;
        u64[0] = saved + d;
        numbers.push(String(f64[0]));
        u64[0] = saved;
      }
      numbers.push(f64[0]!.toPrecision(20), f64[0]!.toPrecision(25));
    }
    same(numbers);
  });

  it('reads several instances of a nested shape, and "inputs", with any spacing', () => {
    const text = ' {\n "inputs" : [ [[1, 2], [3, 4.5]] ,[[-1,-2],[-3,-4]] ] } \n';
    const fast = parseNumericInstances(Buffer.from(text), [2, 2], 1024)!;
    assert.equal(fast.format, 'inputs');
    assert.deepEqual(
      fast.instances.map((x) => Array.from(x)),
      [
        [1, 2, 3, 4.5],
        [-1, -2, -3, -4],
      ],
    );
  });

  it('returns null for anything the general path must answer (its error messages stay)', () => {
    const refused = [
      '{"instances": [[1, 2, 3]]}', // wrong length
      '{"instances": [[1, 2]], "x": 1}', // another key
      '{"x": 1, "instances": [[1, 2]]}',
      '{"instances": [{"b64": "iVBO"}]}',
      '{"instances": [[1, "2"]]}',
      '{"instances": [[1, NaN]]}',
      '{"instances": [[01, 2]]}', // leading zero
      '{"instances": [[1., 2]]}',
      '{"instances": [[.5, 2]]}',
      '{"instances": [[+1, 2]]}',
      '{"instances": [[1e, 2]]}',
      '{"instances": [[1, 1e400]]}', // not finite as a double
      '{"instances": [[1, 2]]',
      '{"instances": []}',
      '{"instances": [[1, 2]]} x',
      '[[1, 2]]',
      '{"instan',
      '',
    ];
    for (const text of refused) assert.equal(parseNumericInstances(Buffer.from(text), [2], 1024), null, text);
    assert.equal(parseNumericInstances(Buffer.from('{"instances": [[1, 2], [3, 4]]}'), [2], 1), null, 'over maxInstances');
  });
});
