/**
 * The site router of a model trained on the device (src/core/site-router.ts): fitted on the captures
 * it trained on against the rehearsal pack's `train` photos, checked on the validation captures and
 * the pack's `eval` photos, and kept only where it routes them no worse than the nearest novelty
 * group. Every capture is the site (their groups are `captures/<label>`), so a model adapted before
 * gets a router over all its captures. Runs in the page, a few photos per forward pass.
 */
import type { BaseNetwork } from '../core/base';
import type { ModelMetadata } from '../core/metadata';
import type { NoveltyInfo } from '../core/novelty';
import type { RoutingInfo } from '../core/routing-info';
import { siteRouterFor } from '../core/site-router';
import type { TrainingSample } from '../core/trainer';
import { wireSample } from './capture-samples';
import type { CaptureRecord } from './capture-store';
import type { CropDecoder } from './head-training-place';
import type { RehearsalItem } from './rehearsal-pack';

/** Photos per base forward pass (as the unfamiliar-surface check's). */
const BATCH = 4;

/** What the router is fitted from. */
export interface CaptureRouterRun {
  base: BaseNetwork;
  parent: ModelMetadata;
  featureLayer: string;
  novelty?: NoveltyInfo;
  labels: readonly string[];
  train: readonly CaptureRecord[];
  validation: readonly CaptureRecord[];
  /** The starting model's rehearsal pack, all of it (null: none, and no router). */
  pack?: readonly RehearsalItem[] | null;
  decode: CropDecoder;
  signal?: AbortSignal;
}

/** `routing` with a site router where one is fitted and kept, else `routing` as it is. */
export async function withCaptureRouter(routing: RoutingInfo, run: CaptureRouterRun): Promise<RoutingInfo> {
  if (!run.novelty || !run.pack?.length) return routing;
  const samples = (photos: readonly Pick<CaptureRecord, 'id' | 'label' | 'crop'>[]): TrainingSample[] =>
    photos.map((p) => ({ ...wireSample(p, run.labels), load: () => run.decode(p.crop) }));
  const pack = run.pack.filter((p) => run.labels.includes(p.label));
  const outcome = await siteRouterFor({
    ...run,
    novelty: run.novelty,
    routing,
    site: { train: samples(run.train), heldOut: samples(run.validation) },
    old: {
      train: samples(pack.filter((p) => p.use === 'train')),
      heldOut: samples(pack.filter((p) => p.use === 'eval')),
    },
    batch: BATCH,
  });
  return outcome.router ? { ...routing, router: outcome.router } : routing;
}
