/**
 * Measuring a finding's crack on its full-resolution still, in the measurement worker: the crop
 * box's area of the still is decoded, measured under the chosen standard and, when the marker gave
 * millimetres, stored on the finding. Otherwise nothing is stored and the outcome says why.
 */
import type { FindingFields, FindingMeasurement } from '../core/finding';
import { toFindingMeasurement } from '../core/measure/finding-measurement';
import type { GuidanceCode } from '../core/measure/guidance';
import type { CrackMeasurement } from '../core/measure/measure-crack';
import type { FindingStore } from './finding-store';
import type { MeasureClient } from './measure-client';
import type { WirePixels } from './measure-protocol';
import { stillMeasureArea } from './measure-region';
import type { MeasureSettings } from './measure-settings';

/** Why a measurement gave no millimetres: no marker in view, or no crack found in the crop box. */
export type NoWidthReason = 'no-marker' | 'no-crack';

/** What measuring gave: the stored measurement, or why there is none; and the capture guidance. */
export interface MeasureOutcome {
  measurement?: FindingMeasurement;
  reason?: NoWidthReason;
  guidance: GuidanceCode[];
}

/** The outcome of a measurement. */
export function measureOutcome(m: CrackMeasurement): MeasureOutcome {
  const measurement = toFindingMeasurement(m);
  if (measurement) return { measurement, guidance: m.guidance };
  return { reason: m.scale === null ? 'no-marker' : 'no-crack', guidance: m.guidance };
}

/** The size of an image in pixels. */
async function imageSize(image: Blob): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(image);
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}

/** The `area` of `still` as RGBA pixels (decoding only that part). */
export async function decodeStillArea(
  still: Blob,
  area: { x: number; y: number; width: number; height: number },
): Promise<WirePixels> {
  const bitmap = await createImageBitmap(still, area.x, area.y, area.width, area.height);
  try {
    const canvas = new OffscreenCanvas(area.width, area.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('2D canvas is not available');
    ctx.drawImage(bitmap, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, area.width, area.height);
    return { data, width, height };
  } finally {
    bitmap.close();
  }
}

/**
 * Measures finding `id` on its still; when the marker gave millimetres, stores them on the finding.
 * Resolves with the finding's fields (updated or as they were) and the outcome.
 * @throws when the finding is gone, the still cannot be decoded or the worker fails; the signal's reason when aborted
 */
export async function measureFinding(
  store: FindingStore,
  id: string,
  client: MeasureClient,
  settings: MeasureSettings,
  signal?: AbortSignal,
): Promise<{ fields: FindingFields; outcome: MeasureOutcome }> {
  const record = await store.get(id);
  if (!record) throw new Error(`finding ${id} is not stored`);
  // A finding synced without its full still has the downscaled one: measure that at its own size.
  const { width, height } = record.stillIsFull === false ? await imageSize(record.still) : record.fields.still;
  const { area, region } = stillMeasureArea(width, height, { view: record.fields.still.view });
  const pixels = await decodeStillArea(record.still, area);
  signal?.throwIfAborted();
  const m = await client.measure(pixels, { ...settings, region, classifiedBox: region }, signal);
  const outcome = measureOutcome(m);
  if (!outcome.measurement) return { fields: record.fields, outcome };
  const fields = await store.update(id, { measurement: outcome.measurement });
  return { fields, outcome };
}
