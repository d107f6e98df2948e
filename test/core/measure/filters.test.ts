import { describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianKernel, greyClosing } from '../../../src/core/measure/filters';
import type { GreyImage } from '../../../src/core/measure/pixels';
import { createRng } from '../../../src/core/random';

/** The extreme over the size x size window from (x - r, y - r), the window clipped to the image. */
function windowExtreme(g: GreyImage, size: number, max: boolean): Float32Array {
  const { width: w, height: h, data } = g;
  const r = Math.floor(size / 2);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = max ? -Infinity : Infinity;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y - r + size - 1); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x - r + size - 1); xx++) {
          v = max ? Math.max(v, data[yy * w + xx]) : Math.min(v, data[yy * w + xx]);
        }
      }
      out[y * w + x] = v;
    }
  }
  return out;
}

describe('greyClosing', () => {
  it('is the square maximum, then the square minimum, at every pixel and border', () => {
    const rng = createRng(5);
    for (const [w, h, size] of [
      [23, 17, 3],
      [17, 23, 5],
      [30, 9, 4],
      [8, 8, 11],
    ]) {
      const g = { width: w, height: h, data: Float32Array.from({ length: w * h }, () => Math.round(255 * rng())) };
      const dilated = { width: w, height: h, data: windowExtreme(g, size, true) };
      expect([...greyClosing(g, size).data], `${w}x${h}, size ${size}`).toEqual([
        ...windowExtreme(dilated, size, false),
      ]);
    }
  });

  it('fills a dark line thinner than the square and keeps a wider one', () => {
    const w = 40;
    const g = { width: w, height: w, data: new Float32Array(w * w).fill(200) };
    for (let y = 0; y < w; y++) for (const x of [10, 11, 25, 26, 27, 28, 29, 30]) g.data[y * w + x] = 50;
    const closed = greyClosing(g, 5).data;
    expect(closed[20 * w + 10]).toBe(200);
    expect(closed[20 * w + 27]).toBe(50);
  });
});

/** One pixel at a time: the kernel along x (clamped at the borders), then along y. */
function blurByPixel(g: GreyImage, k: Float32Array): Float32Array {
  const { width: w, height: h } = g;
  const r = (k.length - 1) / 2;
  const pass = (src: Float32Array, dx: number, dy: number) => {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let i = -r; i <= r; i++) {
          const xx = Math.min(w - 1, Math.max(0, x + i * dx));
          const yy = Math.min(h - 1, Math.max(0, y + i * dy));
          sum += k[i + r] * src[yy * w + xx];
        }
        out[y * w + x] = sum;
      }
    }
    return out;
  };
  return pass(pass(g.data, 1, 0), 0, 1);
}

describe('gaussianBlur', () => {
  it('equals the kernel applied one pixel at a time, borders clamped, to the last bit', () => {
    const rng = createRng(9);
    for (const [w, h, sigma] of [
      [31, 19, 1],
      [12, 40, 2],
      [25, 3, 2.5],
    ]) {
      const g = { width: w, height: h, data: Float32Array.from({ length: w * h }, () => 255 * rng()) };
      expect([...gaussianBlur(g, sigma).data], `${w}x${h}, sigma ${sigma}`).toEqual([
        ...blurByPixel(g, gaussianKernel(sigma)),
      ]);
    }
  });
});
