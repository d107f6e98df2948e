/**
 * The unfamiliar-surface check of a model trained on the device: the captures it trained on (group
 * `captures/<label>`) and the rehearsed pack photos (`<surface>/<label>`) become familiar, on top of the
 * starting model's check (src/core/adapted-novelty.ts). Runs in the page after training, a few photos
 * per forward pass so that no task blocks the page for long.
 */
import type { BaseNetwork } from '../core/base';
import { adaptedNovelty } from '../core/adapted-novelty';
import type { ModelMetadata } from '../core/metadata';
import type { NoveltyInfo } from '../core/novelty';
import type { GroupedSample } from '../core/reliability-fit';
import { wireSample } from './capture-samples';
import type { CaptureRecord } from './capture-store';
import type { CropDecoder } from './head-training-place';

/** Photos per base forward pass (~0.1 s each on WASM). */
const BATCH = 4;

/** A capture, or a rehearsal pack photo with its surface. */
type Photo = Pick<CaptureRecord, 'id' | 'label' | 'crop'> & { surface?: string };

/** `photos` as samples of their groups: `captures/<label>` for captures, `<surface>/<label>` for pack photos. */
export function groupedSamples(
  photos: readonly Photo[],
  labels: readonly string[],
  decode: CropDecoder,
): GroupedSample[] {
  return photos.map((p) => ({
    ...wireSample(p, labels),
    load: () => decode(p.crop),
    group: `${p.surface ?? 'captures'}/${p.label}`,
  }));
}

/** The trained model's novelty model (undefined: none can be carried over from `parent`). */
export function captureNovelty(run: {
  base: BaseNetwork;
  parent: ModelMetadata;
  featureLayer: string;
  labels: readonly string[];
  train: readonly Photo[];
  validation: readonly Photo[];
  decode: CropDecoder;
  signal?: AbortSignal;
}): Promise<NoveltyInfo | undefined> {
  return adaptedNovelty({
    base: run.base,
    parent: run.parent,
    featureLayer: run.featureLayer,
    train: groupedSamples(run.train, run.labels, run.decode),
    validation: groupedSamples(run.validation, run.labels, run.decode),
    batch: BATCH,
    signal: run.signal,
  });
}
