/**
 * A photo with the printed marker laid in its crop: the marker (black square and a one-cell white
 * margin, as cut from the reference sheet) pasted into one corner, 4 px in from the edges.
 */
import sharp from 'sharp';
import { DEFAULT_MARKER, markerCells } from '../src/core/measure/marker-spec';

/** The marker with a one-cell white margin, `side` px square, as PNG bytes. */
export async function markerPng(side: number): Promise<Buffer> {
  const { cells, white } = markerCells(DEFAULT_MARKER);
  const n = cells + 2;
  const px = new Uint8Array(n * n).fill(255);
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) px[(r + 1) * n + c + 1] = white[r * cells + c] ? 240 : 20;
  }
  return sharp(px, { raw: { width: n, height: n, channels: 1 } })
    .resize(side, side, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

/** Corners of the photo, counted left to right, top to bottom. */
export type Corner = 0 | 1 | 2 | 3;

/**
 * `file` as PNG bytes with the marker in `corner`, its side `size` times the photo's short side
 * (0: the photo unchanged).
 */
export async function photoWithMarker(file: string, size: number, corner: Corner = 0): Promise<Buffer> {
  const image = sharp(file);
  const { width = 227, height = 227 } = await image.metadata();
  const side = Math.round(size * Math.min(width, height));
  const left = corner % 2 === 0 ? 4 : width - side - 4;
  const top = corner < 2 ? 4 : height - side - 4;
  const marker = side > 0 ? [{ input: await markerPng(side), left, top }] : [];
  return image.composite(marker).png().toBuffer();
}
