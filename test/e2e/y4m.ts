/**
 * Builds YUV4MPEG2 (y4m, 4:2:0) videos from photos for Chromium's fake camera
 * (--use-file-for-fake-video-capture). Each photo fills the frame's centred square (the app's crop
 * box) on a grey background and is held for a number of frames; Chromium loops the file.
 */
import { open } from 'node:fs/promises';
import sharp from 'sharp';

/** Options of {@link writeY4m}. */
export interface Y4mOptions {
  width?: number;
  height?: number;
  /** Frames per second written into the header (Chromium plays at this rate). */
  fps?: number;
  /** Frames each photo is held for. */
  framesPerImage?: number;
  /** Background grey level 0..255 around the centred square. */
  background?: number;
}

/** The centred square of the frame that each photo fills. */
export function photoBox(width: number, height: number): { left: number; top: number; size: number } {
  const size = Math.min(width, height);
  return { left: Math.floor((width - size) / 2), top: Math.floor((height - size) / 2), size };
}

/**
 * Renders one photo as an RGB frame: the photo's centred square ("cover") resized to the frame's
 * centred square, on a grey background.
 * @returns [height * width * 3] RGB bytes
 */
export async function photoFrame(file: string, width: number, height: number, background = 128): Promise<Buffer> {
  const { left, top, size } = photoBox(width, height);
  const photo = await sharp(file)
    .rotate()
    .removeAlpha()
    .resize(size, size, { fit: 'cover', position: 'centre' })
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: background, g: background, b: background } } })
    .composite([{ input: photo, left, top }])
    .removeAlpha()
    .raw()
    .toBuffer();
}

/**
 * RGB to planar I420 with BT.601 limited-range coefficients (what Chromium assumes for y4m input);
 * chroma is the mean of each 2x2 block.
 * @param rgb [height * width * 3]
 * @returns Y (w*h), U and V ((w/2)*(h/2)) planes, concatenated
 */
export function rgbToI420(rgb: Uint8Array, width: number, height: number): Buffer {
  if (width % 2 || height % 2) throw new Error(`4:2:0 needs even dimensions, got ${width}x${height}`);
  if (rgb.length !== width * height * 3) throw new Error(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const ySize = width * height;
  const cSize = ySize / 4;
  const out = Buffer.alloc(ySize + 2 * cSize);
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let i = 0; i < ySize; i++) {
    const r = rgb[i * 3];
    const g = rgb[i * 3 + 1];
    const b = rgb[i * 3 + 2];
    out[i] = clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
  }
  const cw = width / 2;
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dy, dx] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]) {
        const p = ((cy * 2 + dy) * width + cx * 2 + dx) * 3;
        r += rgb[p];
        g += rgb[p + 1];
        b += rgb[p + 2];
      }
      r /= 4;
      g /= 4;
      b /= 4;
      out[ySize + cy * cw + cx] = clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      out[ySize + cSize + cy * cw + cx] = clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return out;
}

/**
 * Writes a y4m file showing `photos` in turn.
 * @returns the number of frames written
 */
export async function writeY4m(
  photos: readonly string[],
  out: string,
  options: Y4mOptions = {},
): Promise<{ file: string; frames: number }> {
  const { width = 640, height = 480, fps = 30, framesPerImage = 15, background = 128 } = options;
  if (photos.length === 0) throw new Error('no photos for the y4m video');
  const fh = await open(out, 'w');
  let frames = 0;
  try {
    await fh.write(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const photo of photos) {
      const yuv = rgbToI420(await photoFrame(photo, width, height, background), width, height);
      for (let i = 0; i < framesPerImage; i++) {
        await fh.write('FRAME\n');
        await fh.write(yuv);
        frames++;
      }
    }
  } finally {
    await fh.close();
  }
  return { file: out, frames };
}
