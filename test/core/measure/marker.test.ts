import { describe, expect, it } from 'vitest';
import { findMarker } from '../../../src/core/measure/marker';
import { DEFAULT_MARKER } from '../../../src/core/measure/marker-spec';
import { crack, scene } from './scenes';

describe('findMarker', () => {
  const shape = crack(0.5, 80, { x: 24, y: 0 });
  const small = scene({ width: 560, height: 420, mmPerPx: 0.17 }, shape, true);
  const large = scene({ width: 800, height: 600, mmPerPx: 0.12, tiltDeg: 15 }, shape, true);
  const without = scene({ width: 560, height: 420, mmPerPx: 0.17 }, shape, false);

  it('finds the marker in images of different sizes in turn, each time as the first time', () => {
    const first = findMarker(small, DEFAULT_MARKER);
    expect(first).toBeDefined();
    expect(first!.mmPerPx).toBeCloseTo(0.17, 1);
    const other = findMarker(large, DEFAULT_MARKER);
    expect(other).toBeDefined();
    expect(other!.tiltDeg).toBeGreaterThan(10);
    expect(findMarker(small, DEFAULT_MARKER)).toEqual(first);
    expect(findMarker(large, DEFAULT_MARKER)).toEqual(other);
  });

  it('finds nothing in an image of the same size without the marker, after one with it', () => {
    expect(findMarker(small, DEFAULT_MARKER)).toBeDefined();
    expect(findMarker(without, DEFAULT_MARKER)).toBeUndefined();
    expect(findMarker(small, DEFAULT_MARKER)).toBeDefined();
  });
});
