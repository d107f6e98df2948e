/**
 * Width readings smoothed along the crack. The maximum width is a high quantile of the readings, and
 * the highest readings are also the ones whose noise (edge placement on a blurred, noised, compressed
 * photo) happened to widen them: with readings of noise s the 95th percentile reads about 1.6 s too
 * wide. The blur correction steepens that noise on thin cracks (near a band of no width, a tenth of a
 * pixel as read is several tenths corrected), so corrected readings are smoothed: each is replaced by
 * the median of the readings within a few pixels of it, and the crack's own swelling, over tens of
 * pixels, stays.
 */
import type { WidthSample } from './crack-width';

/** Radius of the neighbourhood, px: a few readings either side along the crack. */
export const SMOOTHING_RADIUS_PX = 4;

/** Median of the values (values is reordered). */
function medianInPlace(values: number[]): number {
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
}

/** Each reading's widths (px and mm) replaced by the medians over the readings within `radiusPx` of it. */
export function smoothAlongCrack(readings: readonly WidthSample[], radiusPx = SMOOTHING_RADIUS_PX): WidthSample[] {
  const cells = new Map<string, number[]>();
  const key = (cx: number, cy: number) => `${cx},${cy}`;
  readings.forEach((s, i) => {
    const k = key(Math.floor(s.at.x / radiusPx), Math.floor(s.at.y / radiusPx));
    const list = cells.get(k);
    if (list) list.push(i);
    else cells.set(k, [i]);
  });
  return readings.map((s) => {
    const cx = Math.floor(s.at.x / radiusPx);
    const cy = Math.floor(s.at.y / radiusPx);
    const px: number[] = [];
    const mm: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const j of cells.get(key(cx + dx, cy + dy)) ?? []) {
          const o = readings[j];
          if (Math.hypot(o.at.x - s.at.x, o.at.y - s.at.y) > radiusPx) continue;
          px.push(o.widthPx);
          mm.push(o.widthMm);
        }
      }
    }
    return { ...s, widthPx: medianInPlace(px), widthMm: medianInPlace(mm) };
  });
}
