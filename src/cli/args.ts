/**
 * A small, strict command-line parser: known flags only, typed values, and a one-line error
 * (exit code 2) for anything else.
 */

/** A flag's declaration: its value type and description. */
export interface FlagSpec {
  type: 'int' | 'number' | 'string' | 'boolean';
  help: string;
  /** Allowed values for a string flag. */
  choices?: readonly string[];
  /** The value's name in the help (default: its type, or its choices). */
  metavar?: string;
  /** Checks a numeric value; returns an error text or null. */
  check?: (v: number) => string | null;
}

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Parses `--name value` / `--name=value` / `--flag` against `specs`.
 *
 * @example
 * parseFlags(['--epochs', '3'], { epochs: { type: 'int', help: '' } });   // { epochs: 3 }
 */
export function parseFlags(argv: readonly string[], specs: Record<string, FlagSpec>): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  const byFlag = new Map(Object.keys(specs).map((k) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = byFlag.get(flag);
    if (!key) throw new UsageError(`unknown ${arg.startsWith('-') ? 'option' : 'argument'} '${arg}' (see --help)`);
    const spec = specs[key]!;
    if (spec.type === 'boolean') {
      out[key] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`option ${flag} needs a value`);
    if (spec.type === 'string') {
      if (spec.choices && !spec.choices.includes(raw))
        throw new UsageError(`option ${flag}: expected one of ${spec.choices.join(', ')}, received '${raw}'`);
      out[key] = raw;
      continue;
    }
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || (spec.type === 'int' && !Number.isInteger(value))) {
      throw new UsageError(`option ${flag}: expected ${spec.type === 'int' ? 'an integer' : 'a number'}, received '${raw}'`);
    }
    const problem = spec.check?.(value);
    if (problem) throw new UsageError(`option ${flag}: ${problem}, received ${raw}`);
    out[key] = value;
  }
  return out;
}

/** Help text lines for the flags. */
export function describeFlags(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(([k, s]) => {
      const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${s.type === 'boolean' ? '' : ` <${s.metavar ?? (s.choices ? s.choices.join('|') : s.type === 'string' ? 'value' : s.type)}>`}`;
      // A flag too long for the column (a long list of choices) gets its help on the next line.
      return flag.length < 34 ? `  ${flag.padEnd(34)}${s.help}` : `  ${flag}\n${' '.repeat(36)}${s.help}`;
    })
    .join('\n');
}
