/**
 * A fast path for the common `:predict` body, `{"instances": [x0, x1, ...]}` (or `"inputs"`) where
 * every instance is a nested array of numbers of the model's input shape: the bytes are scanned
 * once and the numbers written straight into float32 samples, with none of the ~1,600 arrays and
 * numbers JSON.parse would build for one 28×28×1 image. Anything else (other keys, b64 images,
 * wrong shapes, unusual spacing is fine) returns null and the body takes the general path
 * (JSON.parse and instances.ts, with its error messages). Each float32 equals what
 * `Float32Array.of(JSON.parse(text))` gives, bit for bit (see parseNumber).
 */

const C = {
  quote: 0x22,
  comma: 0x2c,
  minus: 0x2d,
  plus: 0x2b,
  dot: 0x2e,
  zero: 0x30,
  nine: 0x39,
  colon: 0x3a,
  open: 0x5b,
  close: 0x5d,
  brace: 0x7b,
  endBrace: 0x7d,
  e: 0x65,
  E: 0x45,
};

/** Exact powers of ten as doubles (10^0 … 10^22 are exact). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const MIDPOINT = 0x10000000; // low 29 mantissa bits of a double halfway between two float32s
const LOW29 = 0x1fffffff;

/** A scanner over the body's bytes; `at` is the read position. */
class Scanner {
  at = 0;
  constructor(readonly b: Uint8Array) {}
  skip(): number {
    const b = this.b;
    let c = b[this.at]!;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++this.at]!;
    return c;
  }
  expect(c: number): boolean {
    if (this.skip() !== c) return false;
    this.at++;
    return true;
  }
}

/**
 * Reads one JSON number at `s.at`; NaN when the text is not a JSON number. Up to 19 significant
 * digits are read as hi · 10^k + lo (each part exact); with 15 digits or fewer and a power of ten
 * up to 22, m / 10^k is the correctly rounded double (Clinger's fast path), exactly what
 * JSON.parse gives. Otherwise the estimate is within a few double ulps of JSON.parse's double,
 * which rounds to the same float32 unless it sits within 64 ulps of a float32 rounding midpoint
 * (about 1 in 4 million numbers): those, and numbers outside float32's normal range, are handed
 * to Number() on their text.
 */
function parseNumber(s: Scanner): number {
  const b = s.b;
  const start = s.at;
  let i = start;
  let negative = false;
  if (b[i] === C.minus) {
    negative = true;
    i++;
  }
  let hi = 0;
  let lo = 0;
  let loDigits = 0;
  let digits = 0; // significant digits read (leading zeros not counted)
  let dropped = 0; // integer digits past the 19th (each multiplies by 10)
  let exp10 = 0;
  let c = b[i]!;
  if (c === C.zero) {
    c = b[++i]!;
    if (c >= C.zero && c <= C.nine) return NaN; // leading zero
  } else if (c > C.zero && c <= C.nine) {
    while (c >= C.zero && c <= C.nine) {
      if (digits < 15) hi = hi * 10 + (c - C.zero);
      else if (digits < 19) {
        lo = lo * 10 + (c - C.zero);
        loDigits++;
      } else dropped++;
      digits++;
      c = b[++i]!;
    }
  } else return NaN;
  if (c === C.dot) {
    c = b[++i]!;
    if (c < C.zero || c > C.nine) return NaN;
    while (c >= C.zero && c <= C.nine) {
      if (digits === 0 && c === C.zero) exp10--;
      else {
        if (digits < 15) {
          hi = hi * 10 + (c - C.zero);
          exp10--;
        } else if (digits < 19) {
          lo = lo * 10 + (c - C.zero);
          loDigits++;
          exp10--;
        }
        digits++;
      }
      c = b[++i]!;
    }
  }
  if (c === C.e || c === C.E) {
    c = b[++i]!;
    let sign = 1;
    if (c === C.plus || c === C.minus) {
      sign = c === C.minus ? -1 : 1;
      c = b[++i]!;
    }
    if (c < C.zero || c > C.nine) return NaN;
    let e = 0;
    while (c >= C.zero && c <= C.nine) {
      if (e < 1e6) e = e * 10 + (c - C.zero);
      c = b[++i]!;
    }
    exp10 += sign * e;
  }
  s.at = i;
  exp10 += dropped;
  let value: number;
  if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
    value = exp10 < 0 ? hi / POW10[-exp10]! : hi * POW10[exp10]!; // correctly rounded
  } else {
    const m = loDigits > 0 ? hi * POW10[loDigits]! + lo : hi;
    if (exp10 < -22 || exp10 > 22) value = NaN;
    else value = exp10 < 0 ? m / POW10[-exp10]! : m * POW10[exp10]!;
    // Not provably the same float32 as JSON.parse's double: read the text the exact way.
    if (!(value === 0 || (value >= 1.1754943508222875e-38 && value <= 3.4028234663852886e38)) || nearMidpoint(value)) {
      const exact = Number(Buffer.from(b.buffer, b.byteOffset + start, i - start).toString('latin1'));
      return Number.isFinite(exact) ? exact : NaN; // 1e400: the general path refuses it by name
    }
  }
  return negative ? -value : value;
}

/** Whether `x` (a normal float32-range double) is within 64 double ulps of a float32 rounding midpoint. */
function nearMidpoint(x: number): boolean {
  bits[0] = x;
  return Math.abs((words[0]! & LOW29) - MIDPOINT) < 64;
}

/** Reads a nested array of `shape` (from dimension `dim`) into `out` at `offset`; false on any mismatch. */
function readArray(s: Scanner, shape: readonly number[], dim: number, out: Float32Array, offset: number, strides: number[]): boolean {
  if (!s.expect(C.open)) return false;
  const n = shape[dim]!;
  const last = dim === shape.length - 1;
  for (let i = 0; i < n; i++) {
    if (i > 0 && !s.expect(C.comma)) return false;
    if (last) {
      s.skip();
      const v = parseNumber(s);
      if (Number.isNaN(v)) return false;
      out[offset + i] = v;
    } else if (!readArray(s, shape, dim + 1, out, offset + i * strides[dim]!, strides)) return false;
  }
  return s.expect(C.close);
}

/**
 * Parses `{"instances": [...]}` or `{"inputs": [...]}` of numeric instances of `shape`, or
 * returns null (not that form: take the general path). At most `maxInstances` are read.
 *
 * @example
 * parseNumericInstances(Buffer.from('{"instances": [[[0.5], [1]]]}'), [2, 1], 1024);
 * // { format: 'instances', instances: [Float32Array [0.5, 1]] }
 */
export function parseNumericInstances(
  body: Uint8Array,
  shape: readonly number[],
  maxInstances: number,
): { format: 'instances' | 'inputs'; instances: Float32Array[] } | null {
  const s = new Scanner(body);
  if (!s.expect(C.brace) || !s.expect(C.quote)) return null;
  const key = /^(instances|inputs)"/.exec(
    Buffer.from(body.buffer, body.byteOffset + s.at, Math.min(10, body.length - s.at)).toString('latin1'),
  );
  if (!key) return null;
  s.at += key[0].length;
  if (!s.expect(C.colon) || !s.expect(C.open)) return null;
  const size = shape.reduce((a, b) => a * b, 1);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const instances: Float32Array[] = [];
  do {
    if (instances.length === maxInstances) return null;
    const out = new Float32Array(size);
    if (!readArray(s, shape, 0, out, 0, strides)) return null;
    instances.push(out);
  } while (s.expect(C.comma));
  if (!s.expect(C.close) || !s.expect(C.endBrace) || s.skip() !== undefined) return null;
  return { format: key[1] as 'instances' | 'inputs', instances };
}
