import { parseArgs, type ParseArgsConfig } from 'node:util';

type CliOptions = NonNullable<ParseArgsConfig['options']>;

/** A negative number as a flag's value, e.g. `-3` or `-0.5`. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--name -3` as `--name=-3` for flags that take a value, so that a negative number reaches the
 * flag's range check instead of being read as an unknown option.
 */
export function joinNegativeValues(argv: readonly string[], options: CliOptions): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** Parses CLI flags strictly; on a bad flag prints the usage and exits with status 2. */
export function parseCli<T extends CliOptions>(usage: string, options: T) {
  try {
    const args = joinNegativeValues(process.argv.slice(2), options);
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    if ((values as Record<string, unknown>).help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    return values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
}

/** `parseCli` options of flags that take a value: `{ [name]: { type: 'string' } }` for each name. */
export function stringFlags<const K extends string>(...names: K[]): Record<K, { type: 'string' }> {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' }])) as Record<K, { type: 'string' }>;
}

/** The values a numeric flag accepts; bounds are inclusive unless marked exclusive. */
export interface NumberRange {
  integer?: boolean;
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** The range in words: "an integer >= 2", "a number in (0, 1)", "a number > 0". */
export function describeRange(range: NumberRange): string {
  const kind = range.integer ? 'an integer' : 'a number';
  const { min, max } = range;
  if (min !== undefined && max !== undefined) {
    if (range.integer && !range.minExclusive && !range.maxExclusive) return `${kind} from ${min} to ${max}`;
    return `${kind} in ${range.minExclusive ? '(' : '['}${min}, ${max}${range.maxExclusive ? ')' : ']'}`;
  }
  if (min !== undefined) return `${kind} ${range.minExclusive ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${kind} ${range.maxExclusive ? '<' : '<='} ${max}`;
  return kind;
}

/** True when `n` lies in `range`. */
export function inRange(n: number, range: NumberRange): boolean {
  if (!Number.isFinite(n) || (range.integer && !Number.isInteger(n))) return false;
  if (range.min !== undefined && (range.minExclusive ? n <= range.min : n < range.min)) return false;
  if (range.max !== undefined && (range.maxExclusive ? n >= range.max : n > range.max)) return false;
  return true;
}

/**
 * Reads a numeric flag (`fallback` when absent); a value outside `range` fails with a message that
 * names the valid range, e.g. "--per-class must be an integer >= 2, got '0'".
 */
export function numberFlag(name: string, value: string | undefined, fallback: number, range: NumberRange = {}): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!inRange(n, range)) throw new Error(`--${name} must be ${describeRange(range)}, got '${value}'`);
  return n;
}

/** Runs a CLI main function: errors print one clear line and exit with status 1. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => exitAfterFlush(0),
    (e: unknown) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      exitAfterFlush(1);
    },
  );
}

/**
 * Exits once stdout and stderr have handed everything written so far to the OS: process.exit() right
 * after a write to a pipe cuts a long line (an eval --json line of 90 KB stopped at 64 KB).
 */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
