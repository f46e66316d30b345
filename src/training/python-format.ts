/**
 * Python's `str.format` for checkpoint file names, as Keras fills ModelCheckpoint's filepath
 * (`'ckpt-{epoch:02d}-{val_loss:.4f}.keras'`): named fields with the format-spec mini-language
 * `[[fill]align][sign][0][width][,][.precision][type]`, types d, f, e, g, % and none; `{{`
 * and `}}` are literal braces.
 */

const SPEC = /^(?:(.)?([<>^=]))?([+\- ])?(0)?(\d+)?(,)?(?:\.(\d+))?([dfFeEgG%s])?$/;

function withExponentDigits(text: string): string {
  // JavaScript writes 1.5e-4; Python writes 1.5e-04 (at least two exponent digits).
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * x.toFixed(digits) with Python's tie rule: a value exactly halfway (2.25 to one digit) rounds
 * to the even neighbour ('2.2'), where JavaScript rounds up ('2.3').
 */
function toFixedEven(x: number, digits: number): string {
  const scale = 10 ** digits;
  const scaled = x * scale;
  const exactHalf = digits <= 15 && Number.isFinite(scaled) && scaled % 1 === 0.5 && scaled / scale === x && Math.abs(scaled) < 2 ** 52;
  if (!exactHalf) return x.toFixed(digits);
  const n = Math.floor(scaled) % 2 === 0 ? Math.floor(scaled) : Math.floor(scaled) + 1;
  const text = String(n).padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

function formatNumber(value: number, type: string | undefined, precision: number | undefined, field: string): string {
  switch (type) {
    case 'd':
      if (!Number.isInteger(value)) throw new Error(`format code 'd' needs an integer for {${field}}, received ${value}`);
      return String(Math.abs(value));
    case 'f':
    case 'F':
      return toFixedEven(Math.abs(value), precision ?? 6);
    case 'e':
    case 'E':
      return withExponentDigits(Math.abs(value).toExponential(precision ?? 6));
    case '%':
      return `${toFixedEven(Math.abs(value) * 100, precision ?? 6)}%`;
    case 'g':
    case 'G': {
      const p = precision === 0 ? 1 : (precision ?? 6);
      const exp = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
      const text = exp < -4 || exp >= p ? Math.abs(value).toExponential(p - 1) : Math.abs(value).toFixed(Math.max(0, p - 1 - exp));
      const [mantissa, exponent] = text.split('e') as [string, string | undefined];
      const short = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
      return exponent === undefined ? short : withExponentDigits(`${short}e${exponent}`);
    }
    default:
      // Python's repr of a float: shortest round trip, integers as "3" (an int) — Keras passes floats.
      return String(Math.abs(value));
  }
}

function applySpec(value: number | string, spec: string, field: string): string {
  const m = SPEC.exec(spec);
  if (!m) throw new Error(`invalid format spec ':${spec}' in {${field}}`);
  const [, fillChar, align, sign = '-', zero, width, comma, precisionText, type] = m;
  const precision = precisionText === undefined ? undefined : Number(precisionText);
  let body: string;
  let signText = '';
  if (typeof value === 'string') {
    if (type && type !== 's') throw new Error(`format code '${type}' needs a number for {${field}}, received a string`);
    body = precision === undefined ? value : value.slice(0, precision);
  } else {
    if (type === 's') throw new Error(`format code 's' needs a string for {${field}}, received a number`);
    body = formatNumber(value, type, precision, field);
    if (comma) body = body.replace(/^(\d+)/, (d) => d.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    if (value < 0 || Object.is(value, -0)) signText = '-';
    else if (sign === '+') signText = '+';
    else if (sign === ' ') signText = ' ';
    if (type === 'E' || type === 'F' || type === 'G') body = body.toUpperCase();
  }
  const w = width === undefined ? 0 : Number(width);
  const pad = Math.max(0, w - signText.length - body.length);
  if (zero && !align && typeof value === 'number') return signText + '0'.repeat(pad) + body;
  const fill = fillChar ?? ' ';
  const how = align ?? (typeof value === 'number' ? '>' : '<');
  if (how === '=') return signText + fill.repeat(pad) + body;
  const text = signText + body;
  if (how === '<') return text + fill.repeat(pad);
  if (how === '^') return fill.repeat(Math.floor(pad / 2)) + text + fill.repeat(pad - Math.floor(pad / 2));
  return fill.repeat(pad) + text;
}

/**
 * Fills `template`'s named fields from `values` as Python's `str.format(**values)` does.
 *
 * @example
 * pythonFormat('ckpt-{epoch:02d}-{val_loss:.4f}.keras', { epoch: 3, val_loss: 0.123456 }); // 'ckpt-03-0.1235.keras'
 */
export function pythonFormat(template: string, values: Record<string, number | string>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '}') {
      if (template[i + 1] !== '}') throw new Error(`single '}' at character ${i} of '${template}'; write '}}' for a literal brace`);
      out += '}';
      i++;
      continue;
    }
    if (c !== '{') {
      out += c;
      continue;
    }
    if (template[i + 1] === '{') {
      out += '{';
      i++;
      continue;
    }
    const close = template.indexOf('}', i);
    if (close < 0) throw new Error(`unclosed '{' at character ${i} of '${template}'`);
    const field = template.slice(i + 1, close);
    const colon = field.indexOf(':');
    const name = colon < 0 ? field : field.slice(0, colon);
    if (!(name in values)) throw new Error(`no value for {${name}}; available: ${Object.keys(values).join(', ')}`);
    out += applySpec(values[name]!, colon < 0 ? '' : field.slice(colon + 1), name);
    i = close;
  }
  return out;
}
