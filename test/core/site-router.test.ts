import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile, DEFAULT_MODEL, fsReader, listImages } from '../../src/cli/node-io';
import { loadHead } from '../../src/core/classifier';
import { decodeFloat16 } from '../../src/core/float16';
import type { ModelMetadata } from '../../src/core/metadata';
import {
  checkSiteRouter,
  fitSiteRouter,
  siteRouterFor,
  siteRouterLogits,
  storedRouter,
} from '../../src/core/site-router';
import { createRng } from '../../src/core/random';
import type { TrainingSample } from '../../src/core/trainer';
import { DATA_DIR, expectNoLeak, gaussian, HAVE_SHARED, sharedBase, useWasm } from '../helpers';

/** `n` rows of `d` features around `centre` (unit spread), the last feature constant. */
function cloud(n: number, d: number, centre: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () =>
    Float32Array.from({ length: d }, (_, j) => (j === d - 1 ? 3 : centre + gaussian(rng))),
  );
}

describe('site router', () => {
  it('tells two clouds of pooled features apart, the same way every time', async () => {
    const [site, old] = [cloud(30, 8, 1.5, 1), cloud(120, 8, -1.5, 2)];
    const router = await fitSiteRouter(site, old);
    expect(checkSiteRouter(router, cloud(200, 8, 1.5, 3), cloud(200, 8, -1.5, 4))).toEqual({ site: 1, old: 0 });
    expect(router.kernel[7]).toBe(0); // a feature without spread carries no weight
    expect(await fitSiteRouter(site, old)).toEqual(router);
  });

  it('weighs both sides alike however many photos each has', async () => {
    // Overlapping clouds, ten times as many old photos: unweighted, the middle would get a logit near log(1/10) = -2.3.
    const router = await fitSiteRouter(cloud(200, 4, 0.5, 5), cloud(2000, 4, -0.5, 6));
    const [middle] = siteRouterLogits(router, [Float32Array.of(0, 0, 0, 3)]);
    expect(Math.abs(middle)).toBeLessThan(0.3);
  });

  it('stores the router as a [D, 1] layer in float16', () => {
    const router = { kernel: Float32Array.of(0.5, -2), bias: 0.25 };
    const stored = storedRouter(router);
    expect(stored).toMatchObject({ inputs: 2, outputs: 1 });
    expect([...decodeFloat16(stored.kernel)]).toEqual([0.5, -2]);
    expect([...decodeFloat16(stored.bias)]).toEqual([0.25]);
  });

  it('needs photos on both sides', async () => {
    await expect(fitSiteRouter([], cloud(3, 2, 0, 1))).rejects.toThrow(
      /needs photos of the site and of the old surfaces/,
    );
  });
});

describe.skipIf(!HAVE_SHARED)('site router of an adapted model', () => {
  let parent: ModelMetadata;
  beforeAll(async () => {
    await useWasm();
    const loaded = await loadHead(fsReader, DEFAULT_MODEL);
    parent = loaded.metadata;
    loaded.head.dispose();
  });

  /** `n` photos of a folder from the `skip`-th on, as training samples. */
  const samples = async (folder: string, skip: number, n: number): Promise<TrainingSample[]> =>
    (await listImages(path.join(DATA_DIR, folder)))
      .slice(skip, skip + n)
      .map((f) => ({ id: f, label: 0, load: () => decodeImageFile(f) }));

  it('is kept for brick against concrete, and fits without leaking a tensor', async () => {
    const base = await sharedBase();
    const novelty = parent.novelty!;
    const run = {
      base,
      parent,
      featureLayer: parent.base.featureLayer,
      novelty,
      // The shipped model's groups: calling concrete cracks the site makes the nearest-group rule send them there.
      routing: { siteGroups: ['concrete/crack'] },
      site: { train: await samples('brick/crack', 0, 6), heldOut: await samples('brick/crack', 6, 4) },
      old: { train: await samples('concrete/nocrack', 0, 6), heldOut: await samples('concrete/nocrack', 6, 4) },
    };
    let outcome: Awaited<ReturnType<typeof siteRouterFor>> | undefined;
    await expectNoLeak(async () => {
      outcome = await siteRouterFor(run);
    });
    expect(outcome?.check).toEqual({ site: 1, old: 0 });
    expect(outcome?.router).toMatchObject({ inputs: novelty.dims, outputs: 1 });
    const none = await siteRouterFor({ ...run, old: { ...run.old, heldOut: [] } });
    expect(none).toEqual({ reason: 'no rehearsal pack photos to tell the site from' });
    // Cancelled while it runs: it stops, and leaves nothing behind.
    const controller = new AbortController();
    await expectNoLeak(async () => {
      const fitting = siteRouterFor({ ...run, signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 0));
      controller.abort();
      await expect(fitting).rejects.toThrow(/abort/i);
    });
  });
});
