import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, fromFloat16Bits, toFloat16Bits } from '../../src/core/float16';

describe('float16', () => {
  it('encodes the IEEE 754 half-precision bit patterns', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(toFloat16Bits(65520)).toBe(0x7c00); // rounds to infinity
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000); // underflows to zero
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // half-way: to even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // half-way: to even (up)
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
    expect(fromFloat16Bits(toFloat16Bits(-Infinity))).toBe(-Infinity);
  });

  it('round-trips through base64 within half precision', () => {
    const values = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i * 0.37) * 10 ** ((i % 9) - 4));
    const text = encodeFloat16(values);
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const back = decodeFloat16(text);
    expect(back.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) {
      const tolerance = Math.abs(values[i]) >= 2 ** -14 ? Math.abs(values[i]) * 2 ** -11 : 2 ** -25;
      expect(Math.abs(back[i] - values[i])).toBeLessThanOrEqual(tolerance);
    }
    for (const n of [0, 1, 2, 3])
      expect(decodeFloat16(encodeFloat16(new Float32Array(n).fill(0.5)))).toEqual(new Float32Array(n).fill(0.5));
  });

  it('names bad input', () => {
    expect(() => decodeFloat16('abc')).toThrow(/not base64/);
    expect(() => decodeFloat16('ab$=')).toThrow(/not base64/);
    expect(() => decodeFloat16('AA==')).toThrow(/1 bytes is not a whole number of float16 values/);
  });
});
