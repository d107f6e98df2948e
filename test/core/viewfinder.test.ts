import { describe, expect, it } from 'vitest';
import { containRect, cropBoxOnScreen } from '../../src/core/viewfinder';

describe('containRect', () => {
  it('letterboxes a wide frame in a tall box and pillarboxes a tall frame in a wide box', () => {
    expect(containRect(640, 480, 320, 480)).toEqual({ x: 0, y: 120, width: 320, height: 240 });
    expect(containRect(480, 640, 800, 400)).toEqual({ x: 250, y: 0, width: 300, height: 400 });
  });

  it('rejects an empty frame', () => {
    expect(() => containRect(0, 480, 100, 100)).toThrow(/positive/);
  });
});

describe('cropBoxOnScreen', () => {
  it('is the centred square of the shown frame', () => {
    // 640x480 frame shown at half size in a 320x480 element: frame at y=120..360, square 240 at x=40.
    expect(cropBoxOnScreen(640, 480, 320, 480)).toEqual({ x: 40, y: 120, width: 240, height: 240 });
  });

  it('scales with the crop fraction around the same centre', () => {
    const full = cropBoxOnScreen(1920, 1080, 960, 540);
    const half = cropBoxOnScreen(1920, 1080, 960, 540, 0.5);
    expect(half.width).toBeCloseTo(full.width / 2, 10);
    expect(half.x + half.width / 2).toBeCloseTo(full.x + full.width / 2, 10);
    expect(half.y + half.height / 2).toBeCloseTo(full.y + full.height / 2, 10);
  });
});
