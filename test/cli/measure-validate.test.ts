import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';

describe('npm run measure:validate', () => {
  it('refuses an unknown --widths naming the valid samplings, and renders nothing', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-validate-'));
    const r = await cli('measure-validate.ts', ['--widths', 'boundary', '--n', '1', '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--widths must be one of nominal, uniform; got 'boundary'/);
    expect(await readdir(out)).toEqual([]);
  }, 60_000);

  it('refuses a negative --uncertain-px and an unknown sampling in a list, and renders nothing', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-validate-'));
    const px = await cli('measure-validate.ts', ['--uncertain-px', '-1', '--n', '1', '--out', out]);
    expect(px.code).not.toBe(0);
    expect(px.stderr).toMatch(/--uncertain-px must be a number >= 0, got '-1'/);
    const list = await cli('measure-validate.ts', ['--widths', 'nominal,boundary', '--n', '1', '--out', out]);
    expect(list.code).not.toBe(0);
    expect(list.stderr).toMatch(/got 'boundary'/);
    expect(await readdir(out)).toEqual([]);
  }, 120_000);
});
