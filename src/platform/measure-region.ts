/**
 * Which part of a finding's still to measure: the crop box (the centred square the model saw) placed
 * on the still, widened so that a marker laid beside the crack is in view too. The rest of a 12 MP
 * still is not decoded or measured.
 */
import { centreCropBox } from '../core/crop';
import type { Region } from '../core/measure/segment';

/** How far the measured area reaches beyond the crop box on each side, as a share of its side. */
export const MEASURE_MARGIN = 0.3;

/** The area of the still to decode (`area`, still pixels) and the crop box inside it (`region`, area pixels). */
export interface StillMeasureArea {
  area: Region;
  region: Region;
}

/** How a still relates to the live view: its crop, the margin measured round it, the video's size. */
export interface StillMeasureOptions {
  /** The crop box's side as a fraction of the video's shorter side (the live view's `cropFraction`). */
  cropFraction?: number;
  /** How far the measured area reaches beyond the crop box on each side, as a share of its side. */
  margin?: number;
  /**
   * The live video's size when the still was taken. A photo of another shape than the video (a 4:3
   * takePhoto beside a 16:9 video) sees more than the video did: the video is the sensor's picture
   * cut to its own shape about the centre, so its crop box is a smaller square of the still.
   */
  view?: { width: number; height: number };
}

/** The side of the video's shorter side within a `width` x `height` still, px (the still's shorter side when no view is known). */
export function viewShortSideInStill(width: number, height: number, view?: { width: number; height: number }): number {
  const short = Math.min(width, height);
  if (!view || !(view.width > 0 && view.height > 0)) return short;
  const stillAspect = Math.max(width, height) / short;
  const viewAspect = Math.max(view.width, view.height) / Math.min(view.width, view.height);
  return viewAspect > stillAspect ? Math.max(width, height) / viewAspect : short;
}

/** The measure area of a `width` x `height` still whose centre crop the model saw. */
export function stillMeasureArea(
  width: number,
  height: number,
  { cropFraction = 1, margin = MEASURE_MARGIN, view }: StillMeasureOptions = {},
): StillMeasureArea {
  const seen = viewShortSideInStill(width, height, view) / Math.min(width, height);
  const box = centreCropBox(width, height, Math.min(1, cropFraction * seen));
  const grow = Math.round(box.size * margin);
  const x0 = Math.max(0, Math.floor(box.x) - grow);
  const y0 = Math.max(0, Math.floor(box.y) - grow);
  const x1 = Math.min(width, Math.ceil(box.x + box.size) + grow);
  const y1 = Math.min(height, Math.ceil(box.y + box.size) + grow);
  const area = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  const rx = Math.floor(box.x) - x0;
  const ry = Math.floor(box.y) - y0;
  const side = Math.min(Math.round(box.size), area.width - rx, area.height - ry);
  return { area, region: { x: rx, y: ry, width: side, height: side } };
}
