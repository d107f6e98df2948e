/** The pixel input of the measurement code: RGBA, RGB or grey bytes with their size. */

/** An image as bytes, row-major; `channels` is 4 (RGBA, as ImageData), 3 (RGB) or 1 (grey). */
export interface PixelImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  /** Default: inferred from data.length / (width * height). */
  channels?: 1 | 3 | 4;
}

/** A grey image as floats 0..255, row-major. */
export interface GreyImage {
  width: number;
  height: number;
  /** [height * width] */
  data: Float32Array;
}

const VALID_CHANNELS = [1, 3, 4];

/** The channel count of `image`, checked against its size; throws naming the problem. */
export function channelsOf(image: PixelImage): 1 | 3 | 4 {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`pixels: width and height must be positive integers, got ${width}x${height}`);
  }
  const channels = image.channels ?? data.length / (width * height);
  if (!VALID_CHANNELS.includes(channels)) {
    throw new Error(
      `pixels: ${data.length} bytes for ${width}x${height} is ${channels} per pixel; valid: 1 (grey), 3 (RGB), 4 (RGBA)`,
    );
  }
  if (data.length !== width * height * channels) {
    throw new Error(
      `pixels: expected ${width * height * channels} bytes for ${width}x${height}x${channels}, got ${data.length}`,
    );
  }
  return channels as 1 | 3 | 4;
}

/** Luma (BT.601) of `image` as floats 0..255. */
export function toGrey(image: PixelImage): GreyImage {
  const channels = channelsOf(image);
  const n = image.width * image.height;
  const out = new Float32Array(n);
  const d = image.data;
  if (channels === 1) out.set(d);
  else for (let i = 0, j = 0; i < n; i++, j += channels) out[i] = 0.299 * d[j] + 0.587 * d[j + 1] + 0.114 * d[j + 2];
  return { width: image.width, height: image.height, data: out };
}

/**
 * `g` as grey bytes, inverted (255 - v) when `invert`; each value rounded and clamped as a
 * Uint8ClampedArray stores it. A plain loop: `Uint8ClampedArray.from` with a map function costs
 * about 0.5 us a pixel, most of a live width sample's time.
 */
export function greyBytes(g: GreyImage, invert = false): Uint8ClampedArray {
  const out = new Uint8ClampedArray(g.data.length);
  const d = g.data;
  if (!invert) out.set(d);
  else for (let i = 0; i < d.length; i++) out[i] = 255 - d[i];
  return out;
}

/** `image` as RGBA bytes (what the marker detector reads). */
export function toRgba(image: PixelImage): Uint8ClampedArray {
  const channels = channelsOf(image);
  if (channels === 4) return image.data instanceof Uint8ClampedArray ? image.data : new Uint8ClampedArray(image.data);
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    out[i * 4] = image.data[j];
    out[i * 4 + 1] = image.data[j + (channels === 3 ? 1 : 0)];
    out[i * 4 + 2] = image.data[j + (channels === 3 ? 2 : 0)];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** `g` shrunk by an integer `factor`: each pixel the mean of a factor x factor block (a partial block at the edge is dropped). */
export function shrinkGrey(g: GreyImage, factor: number): GreyImage {
  const width = Math.floor(g.width / factor);
  const height = Math.floor(g.height / factor);
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * g.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += g.data[row + dx];
      }
      data[y * width + x] = sum / (factor * factor);
    }
  }
  return { width, height, data };
}

/** Bilinear sample of `g` at (x, y); coordinates are clamped to the image. */
export function sampleBilinear(g: GreyImage, x: number, y: number): number {
  const { width: w, height: h, data } = g;
  const cx = Math.min(Math.max(x, 0), w - 1.001);
  const cy = Math.min(Math.max(y, 0), h - 1.001);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * w + x0;
  const top = data[i] + fx * (data[i + 1] - data[i]);
  const bottom = data[i + w] + fx * (data[i + w + 1] - data[i + w]);
  return top + fy * (bottom - top);
}
