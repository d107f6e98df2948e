import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
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

  it('--retake measures a case left uncertain again from half the distance, and scores the retake', async () => {
    // --out need not exist yet
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'crackcam-validate-')), 'study');
    const r = await cli('measure-validate.ts', ['--seeds', '1', '--n', '4', '--retake', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    const rows = JSON.parse(await readFile(path.join(out, 'rows.json'), 'utf8'));
    const retaken = rows.filter((row: { retake?: unknown }) => row.retake);
    expect(retaken.length).toBeGreaterThan(0);
    expect(summary.all.retakes).toBe(retaken.length);
    for (const row of rows) {
      // exactly the cases whose guidance asked for it are retaken
      expect(Boolean(row.retake)).toBe(row.measured.guidance.includes('closer-to-classify'));
    }
    const retakes = (await readdir(out)).filter((f) => f.endsWith('-retake.jpg'));
    expect(retakes).toHaveLength(retaken.length);
    expect(await sharp(path.join(out, retakes[0])).metadata()).toMatchObject({ width: 3200, height: 2400 });
  }, 180_000);

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
