/**
 * Readings of dark blobs joined to the crack. A pore or a stain that a hairline runs into is segmented
 * with it, and its readings, a few short ones far wider than the crack on either side, become the
 * crack's maximum (a 0.1 mm crack read as 1.1 mm). A crack's own widening runs along it for several of
 * its widths; a blob is about as long as it is wide. So a reading is left out when it is more than
 * twice as wide as, and over `MIN_EXCESS_PX` wider than, the median of the readings within three of its
 * widths along the crack.
 */
import type { WidthSample } from './crack-width';
import { median } from './width-uncertainty';

/** A reading this many times the median around it, and ... */
const MAX_RATIO = 2;
/** ... this many px wider than it, is a blob's. */
const MIN_EXCESS_PX = 2;
/** The neighbourhood's radius, in the reading's own widths (at least `MIN_RADIUS_PX`). */
const RADIUS_IN_WIDTHS = 3;
const MIN_RADIUS_PX = 8;

/**
 * The readings without those of blobs joined to the crack; never empty when `readings` is not (the
 * narrowest reading always stays: no median around it is below it).
 */
export function withoutJoinedBlobs(readings: readonly WidthSample[]): WidthSample[] {
  return readings.filter((s) => {
    const radius = Math.max(MIN_RADIUS_PX, RADIUS_IN_WIDTHS * s.widthPx);
    const around = readings.filter((o) => Math.hypot(o.at.x - s.at.x, o.at.y - s.at.y) <= radius).map((o) => o.widthPx);
    const m = median(around);
    return !(s.widthPx > MAX_RATIO * m && s.widthPx - m > MIN_EXCESS_PX);
  });
}
