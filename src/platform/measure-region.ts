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

/** The measure area of a `width` x `height` still whose centre crop (at `cropFraction`) the model saw. */
export function stillMeasureArea(
  width: number,
  height: number,
  cropFraction = 1,
  margin = MEASURE_MARGIN,
): StillMeasureArea {
  const box = centreCropBox(width, height, cropFraction);
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
