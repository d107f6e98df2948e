import { describe, expect, it } from 'vitest';
import { captureGuidance } from '../../../src/core/measure/guidance';

describe('captureGuidance', () => {
  const limits = { minWidthPx: 2, minSharpness: 5, maxTiltDeg: 25, maxReferenceInBox: 0.005 };

  it('says nothing for a sharp, square-on still of a crack wide enough with a settled class', () => {
    expect(captureGuidance({ widthPx: 6, sharpness: 50, tiltDeg: 5, classUncertain: false }, limits)).toEqual([]);
    expect(captureGuidance({ widthPx: 6, sharpness: 50, referenceInBox: 0.004 }, limits)).toEqual([]);
  });

  it('lists what to fix in order: the reference out of the box, face the surface, hold still, move closer, settle the class', () => {
    const input = { widthPx: 1.5, sharpness: 2, tiltDeg: 30, classUncertain: true, referenceInBox: 0.2 };
    const all = captureGuidance(input, limits);
    expect(all).toEqual(['reference-outside-box', 'face-surface', 'hold-still', 'move-closer', 'closer-to-classify']);
    expect(captureGuidance({ widthPx: 8, sharpness: 50, classUncertain: true }, limits)).toEqual([
      'closer-to-classify',
    ]);
  });
});
