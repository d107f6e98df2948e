import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/cli/node-io';
import { readRehearsalFolder, rehearsalFolderOf } from '../../src/cli/rehearsal-pack';
import { rehearsalTrainItems, type RehearsalIndex } from '../../src/core/trainer-rehearsal';
import { cli } from './run-cli';

const jpeg = (value: number, size = 40) =>
  sharp({ create: { width: size, height: size, channels: 3, background: { r: value, g: value, b: value } } })
    .jpeg()
    .toBuffer();

/** A labelled folder named `name` with `n` photos per label. */
async function dataSet(root: string, name: string, labels: string[], n: number): Promise<string> {
  const dir = path.join(root, name);
  for (const label of labels) {
    await mkdir(path.join(dir, label), { recursive: true });
    for (let i = 0; i < n; i++) await writeFile(path.join(dir, label, `${label}-${i}.jpg`), await jpeg(10 * i, 300));
  }
  return dir;
}

describe('rehearsal pack in Node', () => {
  let root: string;
  let concrete: string;
  let walls: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'crackcam-pack-'));
    concrete = await dataSet(root, 'concrete', ['crack', 'nocrack'], 5);
    walls = await dataSet(root, 'walls', ['nocrack'], 4);
  });

  it('npm run rehearsal-pack writes seeded 227x227 crops per surface and label with an index the reader accepts', async () => {
    const out = path.join(root, 'pack');
    const args = ['--data', `${concrete},${walls}`, '--per-class', '2', '--eval-per-class', '1', '--seed', '3'];
    const r = await cli('make-rehearsal-pack.ts', [...args, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const pack = await readRehearsalFolder(out);
    expect(pack).not.toBeNull();
    const { index, files } = pack!;
    expect(index.size).toBe(227);
    expect(index.sources.map((s) => s.surface)).toEqual(['concrete', 'walls']);
    expect(index.sources[0].licence).toBe('CC BY 4.0');
    const count = (surface: string, label: string, use: string) =>
      files.filter((f) => f.surface === surface && f.label === label && f.use === use).length;
    expect([count('concrete', 'crack', 'train'), count('concrete', 'crack', 'eval')]).toEqual([2, 1]);
    expect([count('walls', 'nocrack', 'train'), count('walls', 'nocrack', 'eval')]).toEqual([2, 1]);
    // eval photos are never train photos, and every crop is 227x227
    const sources = (use: string) => files.filter((f) => f.use === use).map((f) => `${f.surface}/${f.source}`);
    expect(sources('train').filter((s) => sources('eval').includes(s))).toEqual([]);
    const meta = await sharp(files[0].path).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([227, 227, 'jpeg']);
    // the same seed picks the same photos
    const again = path.join(root, 'pack-again');
    expect((await cli('make-rehearsal-pack.ts', [...args, '--out', again])).code).toBe(0);
    const indexOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as unknown;
    expect(await indexOf(again)).toEqual(await indexOf(out));
    // rehearsal takes train items of the run's labels only, capped per surface and label
    expect(rehearsalTrainItems(files, ['crack', 'nocrack'], 1).map((f) => `${f.surface}/${f.label}`)).toEqual([
      'concrete/crack',
      'concrete/nocrack',
      'walls/nocrack',
    ]);
  });

  it('refuses a data set whose licence does not allow shipping, naming the allowed ones', async () => {
    const brick = await dataSet(root, 'brick', ['crack', 'nocrack'], 2);
    const r = await cli('make-rehearsal-pack.ts', ['--data', brick, '--out', path.join(root, 'no-pack')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--data brick: no licence known .* allowed: concrete, asphalt, walls/);
  });

  it('null without an index; a clear error for a corrupt index or a missing photo', async () => {
    expect(await readRehearsalFolder(path.join(root, 'nothing-here'))).toBeNull();
    const dir = path.join(root, 'corrupt');
    await mkdir(dir);
    await writeFile(path.join(dir, 'index.json'), '{"version": 1, "size": 227, "items": [');
    await expect(readRehearsalFolder(dir)).rejects.toThrow(/index.json is not valid JSON/);
    const index: RehearsalIndex = {
      version: 1,
      size: 227,
      items: [{ file: 'a.jpg', label: 'crack', surface: 'concrete', use: 'train' }],
      sources: [],
    };
    await writeFile(
      path.join(dir, 'index.json'),
      JSON.stringify({ ...index, items: [{ ...index.items[0], use: 'x' }] }),
    );
    await expect(readRehearsalFolder(dir)).rejects.toThrow(/items\[0\]\.use is "x"; expected "train" or "eval"/);
    await writeFile(path.join(dir, 'index.json'), JSON.stringify({ ...index, version: 2 }));
    await expect(readRehearsalFolder(dir)).rejects.toThrow(/version is 2; expected 1/);
    await writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
    await expect(readRehearsalFolder(dir)).rejects.toThrow(/a\.jpg is listed in .*index\.json but missing/);
    await rm(dir, { recursive: true });
  });

  it('the default model ships a pack of concrete, asphalt and walls with train and eval photos', async () => {
    const pack = await readRehearsalFolder(
      rehearsalFolderOf(path.join(PROJECT_ROOT, 'public/models/crackcam-default')),
    );
    expect(pack).not.toBeNull();
    expect([...new Set(pack!.files.map((f) => f.surface))]).toEqual(['concrete', 'asphalt', 'walls']);
    for (const use of ['train', 'eval']) expect(pack!.files.some((f) => f.use === use)).toBe(true);
    expect(pack!.files.some((f) => f.surface === 'brick')).toBe(false);
  });
});
