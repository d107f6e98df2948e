import { describe, expect, it } from 'vitest';
import { describeRange, joinNegativeValues, numberFlag } from '../../src/cli/args';

describe('numberFlag', () => {
  it('returns the fallback when the flag is absent and the number when it is in range', () => {
    expect(numberFlag('epochs', undefined, 20, { integer: true, min: 1 })).toBe(20);
    expect(numberFlag('epochs', '3', 20, { integer: true, min: 1 })).toBe(3);
    expect(numberFlag('fpr', '0.05', 0.01, { min: 0, max: 1, minExclusive: true, maxExclusive: true })).toBe(0.05);
  });

  it('names the valid range when a value is outside it', () => {
    expect(() => numberFlag('per-class', '0', 0, { integer: true, min: 2 })).toThrow(
      "--per-class must be an integer >= 2, got '0'",
    );
    expect(() => numberFlag('per-class', '-3', 0, { integer: true, min: 2 })).toThrow(
      "--per-class must be an integer >= 2, got '-3'",
    );
    expect(() => numberFlag('per-class', '2.5', 0, { integer: true, min: 2 })).toThrow('an integer >= 2');
    expect(() => numberFlag('fpr', '2', 0.01, { min: 0, max: 1, minExclusive: true, maxExclusive: true })).toThrow(
      "--fpr must be a number in (0, 1), got '2'",
    );
    expect(() => numberFlag('crop', '0', 1, { min: 0, minExclusive: true, max: 1 })).toThrow(
      "--crop must be a number in (0, 1], got '0'",
    );
    expect(() => numberFlag('lr', 'fast', 1, { min: 0, minExclusive: true })).toThrow(
      "--lr must be a number > 0, got 'fast'",
    );
    expect(() => numberFlag('seed', '', 1, { integer: true })).toThrow("--seed must be an integer, got ''");
  });

  it('describes ranges in words', () => {
    expect(describeRange({ integer: true, min: 1, max: 3 })).toBe('an integer from 1 to 3');
    expect(describeRange({ max: 5, maxExclusive: true })).toBe('a number < 5');
    expect(describeRange({})).toBe('a number');
  });
});

describe('joinNegativeValues', () => {
  const options = { 'per-class': { type: 'string' }, json: { type: 'boolean' } } as const;

  it('keeps a negative number with the flag that takes a value, so the range check sees it', () => {
    expect(joinNegativeValues(['--per-class', '-3', '--json'], options)).toEqual(['--per-class=-3', '--json']);
    expect(joinNegativeValues(['--per-class', '-.5'], options)).toEqual(['--per-class=-.5']);
  });

  it('leaves other arguments alone: boolean flags, options after a flag, positive values', () => {
    expect(joinNegativeValues(['--json', '-3'], options)).toEqual(['--json', '-3']);
    expect(joinNegativeValues(['--per-class', '--json'], options)).toEqual(['--per-class', '--json']);
    expect(joinNegativeValues(['--per-class', '4'], options)).toEqual(['--per-class', '4']);
  });
});

describe('runCli', () => {
  it('exits only after a long last line reached the pipe', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const path = await import('node:path');
    const { PROJECT_ROOT } = await import('../../src/cli/node-io');
    const script = `import { runCli } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/cli/args.ts'))};
      runCli(async () => { process.stdout.write(JSON.stringify({ rows: 'x'.repeat(300000) }) + '\\n'); });`;
    const { stdout } = await promisify(execFile)(
      path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
      ['--input-type=module', '-e', script],
      {
        cwd: PROJECT_ROOT,
        maxBuffer: 1 << 24,
      },
    );
    expect((JSON.parse(stdout) as { rows: string }).rows).toHaveLength(300000);
  });
});
