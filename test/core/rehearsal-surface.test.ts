import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/node-io';
import type { BaseNetwork } from '../../src/core/base';
import type { ModelMetadata } from '../../src/core/metadata';
import { decodeFloat16 } from '../../src/core/float16';
import {
  groupsOnly,
  mostCommonSurface,
  nearestGroups,
  nearestPackSurface,
  surfaceOfGroup,
} from '../../src/core/rehearsal-surface';
import type { TrainingSample } from '../../src/core/trainer';
import { dataPhotos, defaultModelMetadata, expectNoLeak, HAVE_SHARED, sharedBase, useWasm } from '../helpers';

describe('the rehearsal surface of a run that adds a class', () => {
  it('reads the surface of a group, which may itself hold a slash', () => {
    expect(surfaceOfGroup('concrete/crack')).toBe('concrete');
    expect(surfaceOfGroup('site/a/nocrack')).toBe('site/a');
    expect(surfaceOfGroup('nolabel')).toBe('');
  });

  it('picks the pack surface most photos lie nearest, ties in the pack’s order, none off the pack', () => {
    const pack = ['concrete', 'asphalt', 'walls'];
    const near = ['walls/nocrack', 'concrete/crack', 'concrete/nocrack', 'brick/crack', 'brick/nocrack', 'brick/crack'];
    expect(mostCommonSurface(near, pack)).toBe('concrete'); // brick is commoner but not in the pack
    expect(mostCommonSurface(['walls/nocrack', 'asphalt/crack'], pack)).toBe('asphalt');
    expect(mostCommonSurface(['captures/crack'], pack)).toBeUndefined();
    expect(mostCommonSurface([], pack)).toBeUndefined();
  });
});

/** `n` photos of a data folder as samples. */
async function photos(folder: string, n: number): Promise<TrainingSample[]> {
  const files = await dataPhotos(folder, n);
  return files.map((f) => ({ id: f, label: 0, load: () => decodeImageFile(f) }));
}

describe.skipIf(!HAVE_SHARED)('nearestGroups', () => {
  let base: BaseNetwork;
  let parent: ModelMetadata;
  beforeAll(async () => {
    await useWasm();
    base = await sharedBase();
    parent = await defaultModelMetadata();
  });

  it('places photos of a trained surface nearest its groups, leaving no tensor behind', async () => {
    const samples = [...(await photos('concrete/nocrack', 3)), ...(await photos('surfaces/asphalt/crack', 3))];
    let groups: string[] = [];
    await expectNoLeak(async () => {
      groups = await nearestGroups({ base, parent, samples, batch: 4 });
    });
    expect(groups).toHaveLength(6);
    for (const g of groups) expect(parent.novelty!.groups).toContain(g);
    expect(groups.slice(0, 3).map(surfaceOfGroup)).toEqual(['concrete', 'concrete', 'concrete']);
    expect(groups.slice(3).map(surfaceOfGroup)).toEqual(['asphalt', 'asphalt', 'asphalt']);
  });

  it('chooses among the given surfaces only, their groups keeping their means', async () => {
    const info = parent.novelty!;
    const asphalt = groupsOnly(info, (g) => g.startsWith('asphalt/'));
    expect(asphalt.groups).toEqual(['asphalt/crack', 'asphalt/nocrack']);
    const all = decodeFloat16(info.means);
    const at = (g: string) => info.groups.indexOf(g) * info.dims;
    expect(Array.from(decodeFloat16(asphalt.means))).toEqual([
      ...all.subarray(at('asphalt/crack'), at('asphalt/crack') + info.dims),
      ...all.subarray(at('asphalt/nocrack'), at('asphalt/nocrack') + info.dims),
    ]);
    expect(asphalt.whitening).toBe(info.whitening);
    const samples = await photos('concrete/nocrack', 2);
    const groups = await nearestGroups({ base, parent, samples, surfaces: ['asphalt', 'walls'] });
    expect(groups.map(surfaceOfGroup).every((s) => s === 'asphalt' || s === 'walls')).toBe(true);
    expect(await nearestGroups({ base, parent, samples, surfaces: ['brick'] })).toEqual([]);
  });

  it('names the pack surface most photos lie nearest, with the count, leaving no tensor behind', async () => {
    const samples = [...(await photos('concrete/crack', 3)), ...(await photos('surfaces/asphalt/nocrack', 1))];
    let found: Awaited<ReturnType<typeof nearestPackSurface>> | undefined;
    await expectNoLeak(async () => {
      found = await nearestPackSurface({ base, parent, samples, batch: 4 }, ['asphalt', 'concrete', 'walls']);
    });
    expect(found).toEqual({ surface: 'concrete', near: 3, photos: 4 });
    expect(await nearestPackSurface({ base, parent, samples }, ['brick'])).toEqual({ near: 0, photos: 0 });
  });

  it('gives nothing without a check or without photos', async () => {
    expect(
      await nearestGroups({
        base,
        parent: { ...parent, novelty: undefined },
        samples: await photos('concrete/crack', 1),
      }),
    ).toEqual([]);
    expect(await nearestGroups({ base, parent, samples: [] })).toEqual([]);
  });
});
