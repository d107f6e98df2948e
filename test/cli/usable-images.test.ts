import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listImages } from '../../src/cli/node-io';
import { requireLabelsKept, requireUsablePerLabel, usablePhotos } from '../../src/cli/usable-images';
import { DATA_DIR, HAVE_SHARED } from '../helpers';

const photo = (label: string) => ({ label });

describe.skipIf(!HAVE_SHARED)('usablePhotos', () => {
  it('keeps the readable photos in order and lists the unreadable ones with the reason', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-usable-'));
    const sources = (await listImages(path.join(DATA_DIR, 'brick/crack'))).slice(0, 3);
    const good = await Promise.all(sources.map(async (f) => path.join(dir, path.basename(f))));
    await Promise.all(sources.map((f, i) => copyFile(f, good[i])));
    const broken = path.join(dir, 'broken.jpg');
    await writeFile(broken, 'this is not a jpeg');
    const photos = [good[0], broken, good[1], good[2]].map((p) => ({ path: p, label: 'crack' }));
    const { usable, unreadable } = await usablePhotos(photos, { maxShortSide: 908 });
    expect(usable.map((p) => p.path)).toEqual(good);
    expect(unreadable).toEqual([{ file: broken, reason: expect.stringMatching(/^not a readable JPEG\/PNG/) }]);
  });
});

describe('the minimum of readable photos', () => {
  const skipped = [{ file: '/d/crack/bad.jpg', reason: 'not a readable JPEG/PNG' }];

  it('requireUsablePerLabel passes when every label has enough, and names the short labels and the skipped photos otherwise', () => {
    requireUsablePerLabel(
      [photo('crack'), photo('crack'), photo('nocrack'), photo('nocrack')],
      ['crack', 'nocrack'],
      { count: 2, why: 'one each side' },
      [],
    );
    expect(() =>
      requireUsablePerLabel(
        [photo('crack'), photo('nocrack'), photo('nocrack')],
        ['crack', 'nocrack'],
        { count: 2, why: 'one each side' },
        skipped,
      ),
    ).toThrow(
      'too few readable photos after skipping 1 unreadable photo(s): /d/crack/bad.jpg: crack has 1; each label needs at least 2 (one each side)',
    );
    expect(() => requireUsablePerLabel([], ['normal'], { count: 3, why: 'the fit' }, [])).toThrow(
      'normal has 0; each label needs at least 3',
    );
  });

  it('requireLabelsKept fails only when a side lost every photo of a label it had', () => {
    requireLabelsKept('training', [photo('crack'), photo('crack')], [photo('crack')], skipped);
    requireLabelsKept('validation', [], [], skipped);
    expect(() =>
      requireLabelsKept('validation', [photo('crack'), photo('nocrack')], [photo('nocrack')], skipped),
    ).toThrow('no readable validation photo of crack is left after skipping 1 unreadable photo(s): /d/crack/bad.jpg');
  });
});
