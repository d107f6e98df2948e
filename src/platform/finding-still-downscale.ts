/**
 * The downscaled still that travels with a finding: the full-resolution still is often 12 MP and
 * several MB, which replication handles badly on phones, so the finding document carries a copy with
 * a long side of at most 1600 px (JPEG quality 0.85) and the full still sits in its own document.
 */

/** Longest side of the downscaled still, px. */
export const DOWNSCALED_LONG_SIDE = 1600;
/** JPEG quality of the downscaled still. */
export const DOWNSCALED_QUALITY = 0.85;

/** A still as the finding document carries it. */
export interface DownscaledStill {
  blob: Blob;
  /** False when the still was already small enough and `blob` is the original, unchanged. */
  downscaled: boolean;
}

/** Makes the downscaled copy of a still; the store takes one so tests can pass their own. */
export type StillDownscaler = (still: Blob, signal?: AbortSignal) => Promise<DownscaledStill>;

/** The size of a `width` x `height` image scaled to fit `longSide` (unchanged when it already fits). */
export function downscaledSize(
  width: number,
  height: number,
  longSide: number = DOWNSCALED_LONG_SIDE,
): { width: number; height: number } {
  if (!(width > 0 && height > 0)) throw new Error(`an image size must be positive; got ${width} x ${height}`);
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The browser's downscaler: decodes with createImageBitmap, resizes and encodes JPEG on an OffscreenCanvas. */
export async function browserStillDownscaler(still: Blob, signal?: AbortSignal): Promise<DownscaledStill> {
  const bitmap = await createImageBitmap(still);
  try {
    signal?.throwIfAborted();
    const size = downscaledSize(bitmap.width, bitmap.height);
    if (size.width === bitmap.width && size.height === bitmap.height) return { blob: still, downscaled: false };
    const canvas = new OffscreenCanvas(size.width, size.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available to downscale the still');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, size.width, size.height);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: DOWNSCALED_QUALITY });
    return { blob, downscaled: true };
  } finally {
    bitmap.close();
  }
}
