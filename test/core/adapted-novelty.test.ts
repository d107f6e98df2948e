import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/node-io';
import { adaptedNovelty } from '../../src/core/adapted-novelty';
import type { BaseNetwork } from '../../src/core/base';
import type { ModelMetadata } from '../../src/core/metadata';
import type { NoveltyInfo } from '../../src/core/novelty';
import type { GroupedSample } from '../../src/core/reliability-fit';
import type { RoutingInfo } from '../../src/core/routing-info';
import { dataPhotos, defaultModelMetadata, expectNoLeak, HAVE_SHARED, sharedBase, useWasm } from '../helpers';

/** `n` photos of a data folder as samples of `group`. */
async function photos(folder: string, label: number, group: string, n: number): Promise<GroupedSample[]> {
  const files = await dataPhotos(folder, n);
  return files.map((f) => ({ id: f, label, group, load: () => decodeImageFile(f) }));
}

describe.skipIf(!HAVE_SHARED)('adaptedNovelty', () => {
  let base: BaseNetwork;
  let parent: ModelMetadata;
  beforeAll(async () => {
    await useWasm();
    base = await sharedBase();
    parent = await defaultModelMetadata();
  });

  it('adds the new groups on the parent’s whitening, leaving no tensor behind', async () => {
    const train = [
      ...(await photos('brick/crack', 0, 'brick/crack', 4)),
      ...(await photos('brick/nocrack', 1, 'brick/nocrack', 4)),
    ];
    const validation = await photos('brick/nocrack', 1, 'brick/nocrack', 6);
    let info: Awaited<ReturnType<typeof adaptedNovelty>>;
    await expectNoLeak(async () => {
      info = await adaptedNovelty({
        base,
        parent,
        featureLayer: parent.base.featureLayer,
        train,
        validation,
        batch: 4,
      });
    });
    expect(info!.groups).toEqual([...parent.novelty!.groups, 'brick/crack', 'brick/nocrack']);
    expect(info!.whitening).toBe(parent.novelty!.whitening);
    expect(info!.validationRejection['brick/nocrack']).toBeGreaterThanOrEqual(0);
  });

  it('keeps the parent’s own groups and map, also under a head on another map; none for a parent without one', async () => {
    const concrete = await photos('concrete/crack', 0, 'concrete/crack', 2);
    const run = { base, parent, featureLayer: parent.base.featureLayer, train: concrete, validation: [] };
    expect(await adaptedNovelty(run)).toBe(parent.novelty); // nothing new to add
    // A head that fine-tuned fire7 too reads fire6: the check stays on the parent's map and says which.
    expect(await adaptedNovelty({ ...run, featureLayer: 'fire6/concat' })).toEqual({
      ...parent.novelty,
      layer: parent.base.featureLayer,
    });
    const brick = await photos('brick/crack', 0, 'brick/crack', 2);
    const onOwn = await adaptedNovelty({ ...run, train: brick });
    const under = await adaptedNovelty({ ...run, train: brick, featureLayer: 'fire6/concat' });
    expect(under).toEqual({ ...onOwn, layer: parent.base.featureLayer });
    expect(await adaptedNovelty({ ...run, parent: { ...parent, novelty: undefined } })).toBeUndefined();
  });

  it('fits a routed parent’s site groups again on the new photos', async () => {
    const first = await photos('brick/crack', 0, 'brick/crack', 4);
    const run = { base, parent, featureLayer: parent.base.featureLayer, validation: [], batch: 4 };
    const adapted = (await adaptedNovelty({ ...run, train: first })) as NoveltyInfo;
    const later = (await photos('brick/crack', 0, 'brick/crack', 8)).slice(4); // the site's newer photos
    const routing = {
      parent: { name: 'p', version: 1 },
      labels: ['crack', 'nocrack'],
      siteGroups: ['brick/crack'],
    } as RoutingInfo;
    // Not routed: the group is the parent's own, kept as it is.
    expect(await adaptedNovelty({ ...run, parent: { ...parent, novelty: adapted }, train: later })).toBe(adapted);
    const refit = (await adaptedNovelty({
      ...run,
      parent: { ...parent, novelty: adapted, routing },
      train: later,
    })) as NoveltyInfo;
    expect(refit.groups).toEqual(adapted.groups);
    expect(refit.means).not.toBe(adapted.means);
    expect(refit.whitening).toBe(adapted.whitening);
  });

  it('stops with the abort reason and frees what it made', async () => {
    const train = await photos('brick/crack', 0, 'brick/crack', 8);
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the inspector'));
    await expectNoLeak(async () => {
      await expect(
        adaptedNovelty({
          base,
          parent,
          featureLayer: parent.base.featureLayer,
          train,
          validation: [],
          signal: controller.signal,
        }),
      ).rejects.toThrow('cancelled by the inspector');
    });
  });
});
