/**
 * The RGBA pixels of a picture sent to a worker (a video frame or a bitmap, transferred): its crop
 * area scaled to the wanted size on an OffscreenCanvas, read where it was sent, so that the page
 * that sent it does no drawing or readback.
 */
import type { WireFrame, WirePixels } from './measure-protocol';

/** Reads `frame`'s crop area at its size, and closes its source. */
export function framePixels({ source, crop, size }: WireFrame): WirePixels {
  try {
    const { width, height } = size;
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('2D canvas is not available');
    ctx.drawImage(source, crop.x, crop.y, crop.width, crop.height, 0, 0, width, height);
    const { data } = ctx.getImageData(0, 0, width, height);
    return { data, width, height };
  } finally {
    source.close();
  }
}
