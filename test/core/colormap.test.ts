import { describe, expect, it } from 'vitest';
import {
  argMax,
  colouriseMap,
  HIGHLIGHT_RAMP,
  jet,
  JET_LUT,
  jetLut,
  LUT_SIZE,
  rampAlpha,
  smoothInto,
} from '../../src/core/colormap';

describe('jet', () => {
  it('matches MATLAB jet at its knots', () => {
    // MATLAB jet: t=0 -> [0 0 .5], 1/8 -> [0 0 1], 3/8 -> [0 1 1], 5/8 -> [1 1 0], 7/8 -> [1 0 0], 1 -> [.5 0 0]
    const knots: [number, [number, number, number]][] = [
      [0, [0, 0, 0.5]],
      [1 / 8, [0, 0, 1]],
      [3 / 8, [0, 1, 1]],
      [5 / 8, [1, 1, 0]],
      [7 / 8, [1, 0, 0]],
      [1, [0.5, 0, 0]],
    ];
    for (const [t, want] of knots) {
      jet(t).forEach((v, i) => expect(v).toBeCloseTo(want[i], 10));
    }
  });

  it('clamps out-of-range and non-finite input', () => {
    expect(jet(-3)).toEqual(jet(0));
    expect(jet(7)).toEqual(jet(1));
    expect(jet(Number.NaN)).toEqual(jet(0));
  });

  it('warms up monotonically: red rises until 5/8, blue falls after 3/8', () => {
    for (let i = 1; i <= 100; i++) {
      const [t0, t1] = [(i - 1) / 100, i / 100];
      if (t1 <= 5 / 8) expect(jet(t1)[0]).toBeGreaterThanOrEqual(jet(t0)[0]);
      if (t0 >= 3 / 8) expect(jet(t1)[2]).toBeLessThanOrEqual(jet(t0)[2]);
    }
  });
});

describe('jetLut', () => {
  it('has n RGB entries equal to jet sampled evenly', () => {
    const lut = jetLut(5);
    expect(lut.length).toBe(15);
    for (let i = 0; i < 5; i++) {
      const want = jet(i / 4).map((v) => Math.round(v * 255));
      expect(Array.from(lut.slice(i * 3, i * 3 + 3))).toEqual(want);
    }
    expect(JET_LUT.length).toBe(LUT_SIZE * 3);
  });

  it('rejects sizes below 2', () => {
    expect(() => jetLut(1)).toThrow(/>= 2/);
    expect(() => jetLut(2.5)).toThrow(/integer/);
  });
});

describe('colouriseMap', () => {
  it('writes the table colour and the requested alpha per pixel', () => {
    const map = [0, 0.5, 1, -1, 2, Number.NaN];
    const out = colouriseMap(map, new Uint8ClampedArray(map.length * 4), 0.5);
    const px = (i: number) => Array.from(out.slice(i * 4, i * 4 + 4));
    const lutAt = (t: number) => {
      const j = Math.round(t * (LUT_SIZE - 1)) * 3;
      return [JET_LUT[j], JET_LUT[j + 1], JET_LUT[j + 2], 128];
    };
    expect(px(0)).toEqual(lutAt(0));
    expect(px(1)).toEqual(lutAt(0.5));
    expect(px(2)).toEqual(lutAt(1));
    expect(px(3)).toEqual(lutAt(0)); // clamped
    expect(px(4)).toEqual(lutAt(1)); // clamped
    expect(px(5)).toEqual(lutAt(0)); // NaN
    expect(px(2)[0]).toBeGreaterThan(px(2)[2]); // hot is red
    expect(px(0)[2]).toBeGreaterThan(px(0)[0]); // cold is blue
  });

  it('reuses the output buffer and checks its size', () => {
    const out = new Uint8ClampedArray(8);
    expect(colouriseMap([0.2, 0.9], out)).toBe(out);
    expect(out[3]).toBe(255);
    expect(() => colouriseMap([0.2, 0.9, 0.1], out)).toThrow(/2 pixels but the map has 3/);
  });
});

describe('rampAlpha', () => {
  const ramp = { low: 0.2, high: 0.6 };

  it('is 0 at and below the low knee, 1 at and above the high knee', () => {
    for (const v of [-1, 0, 0.1, 0.2]) expect(rampAlpha(v, ramp)).toBe(0);
    for (const v of [0.6, 0.7, 1, 5]) expect(rampAlpha(v, ramp)).toBe(1);
  });

  it('is smoothstep between the knees: 1/2 midway, 0.15625 and 0.84375 a quarter in from each knee', () => {
    // u = (v - low) / (high - low); 3u^2 - 2u^3 at u = 1/4, 1/2, 3/4.
    expect(rampAlpha(0.3, ramp)).toBeCloseTo(0.15625, 12);
    expect(rampAlpha(0.4, ramp)).toBeCloseTo(0.5, 12);
    expect(rampAlpha(0.5, ramp)).toBeCloseTo(0.84375, 12);
  });

  it('rises monotonically', () => {
    for (let i = 1; i <= 100; i++) expect(rampAlpha(i / 100)).toBeGreaterThanOrEqual(rampAlpha((i - 1) / 100));
  });

  it('gives NaN no opacity', () => {
    expect(rampAlpha(Number.NaN, ramp)).toBe(0);
  });

  it('uses the highlight knees 0.2 and 0.6 by default', () => {
    expect(HIGHLIGHT_RAMP).toEqual({ low: 0.2, high: 0.6 });
    expect(rampAlpha(0.2)).toBe(0);
    expect(rampAlpha(0.4)).toBeCloseTo(0.5, 12);
    expect(rampAlpha(0.6)).toBe(1);
  });

  it('rejects knees out of order or outside [0, 1], naming the valid range', () => {
    expect(() => rampAlpha(0.5, { low: 0.8, high: 0.3 })).toThrow(/0 <= low < high <= 1, got low 0.8 and high 0.3/);
    expect(() => rampAlpha(0.5, { low: 0.5, high: 0.5 })).toThrow(/low < high/);
    expect(() => rampAlpha(0.5, { low: -0.1, high: 0.5 })).toThrow(/0 <= low/);
    expect(() => rampAlpha(0.5, { low: 0.1, high: 1.5 })).toThrow(/high <= 1/);
    expect(() => rampAlpha(0.5, { low: Number.NaN, high: 0.5 })).toThrow(/got low NaN/);
  });
});

describe('colouriseMap with an alpha ramp', () => {
  const ramp = { low: 0.2, high: 0.6 };
  const map = [0, 0.2, 0.3, 0.4, 0.5, 0.6, 1, Number.NaN, 2];

  it('gives each pixel the ramp alpha of its value (0..255) and the same colour as the constant alpha', () => {
    const out = colouriseMap(map, new Uint8ClampedArray(map.length * 4), ramp);
    const alphas = map.map((_, i) => out[i * 4 + 3]);
    // 0, 0, 255 * 0.15625, 255 / 2, 255 * 0.84375, 255, 255, NaN -> 0, clamped -> 255
    expect(alphas).toEqual([0, 0, 40, 128, 215, 255, 255, 0, 255]);
    const constant = colouriseMap(map, new Uint8ClampedArray(map.length * 4), 1);
    map.forEach((_, i) =>
      expect(Array.from(out.slice(i * 4, i * 4 + 3))).toEqual(Array.from(constant.slice(i * 4, i * 4 + 3))),
    );
  });

  it('overwrites a constant-alpha frame in the same buffer (no stale alpha)', () => {
    const out = colouriseMap(map, new Uint8ClampedArray(map.length * 4), 0.5);
    expect(colouriseMap(map, out, ramp)).toBe(out);
    expect(out[3]).toBe(0);
    expect(colouriseMap(map, out, 0.5)[3]).toBe(128);
  });

  it('rejects a bad ramp before writing anything', () => {
    const out = new Uint8ClampedArray(map.length * 4).fill(7);
    expect(() => colouriseMap(map, out, { low: 0.9, high: 0.1 })).toThrow(/0 <= low < high <= 1/);
    expect(out.every((v) => v === 7)).toBe(true);
  });
});

describe('smoothInto', () => {
  it('is an exponential moving average that converges to a constant input', () => {
    const state = new Float32Array([0, 1]);
    smoothInto(state, [1, 0], 0.75);
    expect(state[0]).toBeCloseTo(0.25, 6);
    expect(state[1]).toBeCloseTo(0.75, 6);
    for (let i = 0; i < 100; i++) smoothInto(state, [1, 0], 0.75);
    expect(state[0]).toBeCloseTo(1, 5);
    expect(state[1]).toBeCloseTo(0, 5);
  });

  it('with keep = 0 copies the new map', () => {
    const state = new Float32Array([0.3, 0.4]);
    expect(Array.from(smoothInto(state, [0.9, 0.1], 0))).toEqual([0.9, 0.1].map(Math.fround));
  });

  it('rejects mismatched sizes and keep outside [0, 1)', () => {
    expect(() => smoothInto(new Float32Array(2), [1], 0.5)).toThrow(/1 values into one of 2/);
    expect(() => smoothInto(new Float32Array(1), [1], 1)).toThrow(/\[0, 1\)/);
    expect(() => smoothInto(new Float32Array(1), [1], -0.1)).toThrow(/\[0, 1\)/);
  });
});

describe('argMax', () => {
  it('finds the first largest entry', () => {
    expect(argMax([0.1, 0.9, 0.3, 0.9])).toEqual({ index: 1, value: 0.9 });
    expect(argMax([])).toEqual({ index: -1, value: -Infinity });
  });
});
