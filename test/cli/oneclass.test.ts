import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { listImages, PROJECT_ROOT } from '../../src/cli/node-io';
import { DATA_DIR, HAVE_SHARED } from '../helpers';

const run = promisify(execFile);
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');

/** Runs `npm run oneclass` (its script, directly); never rejects on a non-zero exit. */
async function oneclass(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(TSX, [path.join(PROJECT_ROOT, 'src/cli/oneclass.ts'), ...args], {
      cwd: PROJECT_ROOT,
      maxBuffer: 1 << 24,
    });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;

/** A small labelled brick folder in /tmp (8 nocrack, 4 crack) built from ../shared photos. */
async function smallBrick(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-oneclass-'));
  for (const [label, n] of [
    ['nocrack', 8],
    ['crack', 4],
  ] as const) {
    await mkdir(path.join(dir, label));
    for (const f of (await listImages(path.join(DATA_DIR, 'brick', label))).slice(0, n))
      await copyFile(f, path.join(dir, label, path.basename(f)));
  }
  return dir;
}

describe.skipIf(!HAVE_SHARED)('npm run oneclass on a small real subset', () => {
  let data: string;
  beforeAll(async () => {
    data = await smallBrick();
  });

  it('trains on N seeded normal images, excludes them from --eval, writes a model that --model reloads with the same figures', async () => {
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'crackcam-oneclass-model-')), 'm');
    const t = await oneclass([
      '--train',
      data,
      '--n',
      '5',
      '--seed',
      '3',
      '--folds',
      '3',
      '--eval',
      data,
      '--out',
      out,
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/excluded 5 training images/);
    const r = lastJson(t.stdout);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['auroc', 'accuracyAtThreshold', 'n']));
    expect(r.n).toBe(7);
    expect(r.nCrack).toBe(4);
    expect(r.nNormal).toBe(3);
    expect(r.excluded).toBe(5);
    expect(r.auroc).toBeGreaterThanOrEqual(0);
    expect(r.auroc).toBeLessThanOrEqual(1);
    expect(r.accuracyAtThreshold).toBeGreaterThanOrEqual(0);
    expect(r.accuracyAtThreshold).toBeLessThanOrEqual(1);
    expect(r.backend).toBe('wasm');
    for (const f of ['model.json', 'weights.bin', 'seen.json'])
      expect((await stat(path.join(out, f))).size).toBeGreaterThan(0);
    const seen = JSON.parse(await readFile(path.join(out, 'seen.json'), 'utf8')) as { files: string[] };
    expect(seen.files).toHaveLength(5);
    expect(seen.files.every((f) => f.startsWith('nocrack/'))).toBe(true);

    const e = await oneclass(['--model', out, '--eval', data, '--json']);
    expect(e.code, e.stderr).toBe(0);
    const r2 = lastJson(e.stdout);
    expect(r2.excluded).toBe(5);
    expect(r2.n).toBe(7);
    expect(r2.auroc).toBe(r.auroc);
    expect(r2.accuracyAtThreshold).toBe(r.accuracyAtThreshold);
    expect(r2.threshold).toBe(r.threshold);
  });

  it('accepts a plain folder of normal images; nothing to exclude from another folder', async () => {
    const flat = await mkdtemp(path.join(os.tmpdir(), 'crackcam-oneclass-flat-'));
    for (const f of (await listImages(path.join(DATA_DIR, 'brick/nocrack'))).slice(-4))
      await copyFile(f, path.join(flat, path.basename(f)));
    // Two masonry crack photos with masks for the heatmap check.
    const cam = await mkdtemp(path.join(os.tmpdir(), 'crackcam-oneclass-cam-'));
    await mkdir(path.join(cam, 'images'));
    await mkdir(path.join(cam, 'masks'));
    const masonry = (await listImages(path.join(DATA_DIR, 'masks/images')))
      .filter((f) => path.basename(f).startsWith('dimitrisdais'))
      .slice(0, 2);
    for (const f of masonry) {
      await copyFile(f, path.join(cam, 'images', path.basename(f)));
      const mask = `${path.parse(f).name}.png`;
      await copyFile(path.join(DATA_DIR, 'masks/masks', mask), path.join(cam, 'masks', mask));
    }
    const t = await oneclass([
      '--train',
      flat,
      '--eval',
      data,
      '--views',
      '1',
      '--folds',
      '2',
      '--top-k',
      '3',
      '--cam-images',
      path.join(cam, 'images'),
      '--cam-masks',
      path.join(cam, 'masks'),
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/AUROC [01]\.\d{4} on 12 images \(4 abnormal, 8 normal; 0 training images excluded\)/);
    expect(t.stdout).toMatch(/top-3/);
    expect(t.stdout).toMatch(/heatmap on 2 masked crack photos: pointing game [01]\.\d{3}, energy in mask [01]\.\d{3}/);
  });

  it('bad flags fail with a message naming the valid values', async () => {
    const m = await oneclass(['--train', data, '--eval', data, '--method', 'svm']);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/valid: patch-gaussian, pooled-gaussian/);
    const l = await oneclass(['--train', data, '--train-label', 'sound', '--eval', data]);
    expect(l.code).toBe(1);
    expect(l.stderr).toMatch(/valid: crack, nocrack/);
    const f = await oneclass(['--train', data, '--eval', data, '--fpr', '2']);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/--fpr/);
    const half = await oneclass(['--train', data, '--eval', data, '--cam-images', data]);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/--cam-images and --cam-masks go together/);
    const none = await oneclass(['--eval', data]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--train or --model/);
  });
});
