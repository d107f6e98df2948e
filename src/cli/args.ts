import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Parses CLI flags strictly; on a bad flag prints the usage and exits with status 2. */
export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: T) {
  try {
    const { values } = parseArgs({ options, strict: true, allowPositionals: false });
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

/** Reads a numeric flag, failing with a clear message. */
export function numberFlag(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean = () => true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`--${name} must be a valid number, got '${value}'`);
  return n;
}

/** Runs a CLI main function: errors print one clear line and exit with status 1. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
