import { describe, expect, it } from 'vitest';
import { greyBytes } from '../../../src/core/measure/pixels';

describe('greyBytes', () => {
  // halves round to even, out-of-range values clamp, NaN is 0: as a Uint8ClampedArray stores a number
  const values = [-3, 0, 0.5, 1.5, 2.5, 127.49, 127.5, 254.5, 255, 300, NaN];
  const g = { width: values.length, height: 1, data: Float32Array.from(values) };

  it('stores each value as a Uint8ClampedArray does', () => {
    expect([...greyBytes(g)]).toEqual([...Uint8ClampedArray.from(g.data)]);
    expect([...greyBytes(g)]).toEqual([0, 0, 0, 2, 2, 127, 128, 254, 255, 255, 0]);
  });

  it('inverts before storing when asked', () => {
    expect([...greyBytes(g, true)]).toEqual([...Uint8ClampedArray.from(g.data, (v) => 255 - v)]);
  });
});
