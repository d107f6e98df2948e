import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  balanceSurfaces,
  readDataSets,
  seenFor,
  seenList,
  splitEach,
  spreadPerGroup,
  unionLabels,
  type SurfaceFile,
} from '../../src/cli/data-sets';

const photo = (surface: string, label: string, i: number): SurfaceFile => ({
  surface,
  label,
  path: `/d/${surface}/${label}/${i}.jpg`,
});

describe('several data sets as surfaces', () => {
  it('repeats small surfaces up to the share of the largest, each photo at least as often as any other of its surface', () => {
    const train = [
      ...Array.from({ length: 100 }, (_, i) => photo('concrete', 'crack', i)),
      ...Array.from({ length: 15 }, (_, i) => photo('walls', 'nocrack', i)),
    ];
    const balanced = balanceSurfaces(train, 0.5, 1);
    const walls = balanced.filter((f) => f.surface === 'walls');
    expect(walls).toHaveLength(50);
    expect(balanced.filter((f) => f.surface === 'concrete')).toHaveLength(100);
    const counts = new Map<string, number>();
    for (const f of walls) counts.set(f.path, (counts.get(f.path) ?? 0) + 1);
    expect(Math.min(...counts.values())).toBe(3);
    expect(Math.max(...counts.values())).toBe(4);
    expect(balanceSurfaces(train, 0, 1)).toEqual(train);
    expect(() => balanceSurfaces(train, 2, 1)).toThrow(/balance share must be in \[0, 1\], got 2/);
  });

  it('splits each surface on its own with the same fractions', () => {
    const sets = [
      {
        name: 'concrete',
        dir: '/d/concrete',
        labels: ['crack', 'nocrack'],
        files: [
          ...Array.from({ length: 20 }, (_, i) => photo('x', 'crack', i)),
          ...Array.from({ length: 20 }, (_, i) => photo('x', 'nocrack', i)),
        ],
      },
      {
        name: 'walls',
        dir: '/d/walls',
        labels: ['nocrack'],
        files: Array.from({ length: 10 }, (_, i) => photo('x', 'nocrack', 100 + i)),
      },
    ];
    const split = splitEach(sets, { train: 0.5, validation: 0.2, test: 0.3 }, 7);
    expect(split.validation.filter((f) => f.surface === 'walls')).toHaveLength(2);
    expect(split.validation.filter((f) => f.surface === 'concrete' && f.label === 'crack')).toHaveLength(4);
    expect(split.train.filter((f) => f.surface === 'walls')).toHaveLength(5);
    expect(unionLabels(sets)).toEqual(['crack', 'nocrack']);
  });

  it('spreads at most n photos per surface and label over each list', () => {
    const files = [
      ...Array.from({ length: 10 }, (_, i) => photo('a', 'crack', i)),
      ...Array.from({ length: 3 }, (_, i) => photo('b', 'crack', i)),
    ];
    const picked = spreadPerGroup(files, 4);
    expect(picked.map((f) => f.path)).toEqual([
      '/d/a/crack/0.jpg',
      '/d/a/crack/2.jpg',
      '/d/a/crack/5.jpg',
      '/d/a/crack/7.jpg',
      '/d/b/crack/0.jpg',
      '/d/b/crack/1.jpg',
      '/d/b/crack/2.jpg',
    ]);
  });

  it('keeps seen.json as before for one set, and per set for several', () => {
    const one = seenList([photo('concrete', 'crack', 2), photo('concrete', 'crack', 1)]);
    expect(one).toEqual({ data: 'concrete', files: ['crack/1.jpg', 'crack/2.jpg'] });
    expect(seenFor(one, 'concrete')).toEqual(['crack/1.jpg', 'crack/2.jpg']);
    expect(seenFor(one, 'brick')).toEqual([]);
    const two = seenList([photo('concrete', 'crack', 1), photo('walls', 'nocrack', 1)]);
    expect(seenFor(two, 'walls')).toEqual(['nocrack/1.jpg']);
    expect(seenFor(two, 'concrete')).toEqual(['crack/1.jpg']);
    expect(seenFor(two, 'brick')).toEqual([]);
  });

  it('reads a comma-separated --data list, each set named after its folder, and refuses two of one name', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'crackcam-sets-'));
    for (const [set, label] of [
      ['concrete', 'crack'],
      ['walls', 'nocrack'],
      ['other/walls', 'nocrack'],
    ]) {
      await mkdir(path.join(root, set, label), { recursive: true });
      await writeFile(path.join(root, set, label, 'a.jpg'), '');
    }
    const sets = await readDataSets(`${path.join(root, 'concrete')},${path.join(root, 'walls')}`);
    expect(sets.map((s) => [s.name, s.labels])).toEqual([
      ['concrete', ['crack']],
      ['walls', ['nocrack']],
    ]);
    await expect(readDataSets(`${path.join(root, 'walls')},${path.join(root, 'other/walls')}`)).rejects.toThrow(
      /two folders called walls/,
    );
  });
});
