import { describe, expect, it } from 'vitest';
import { referenceShareOfBox } from '../../../src/core/measure/reference-overlap';

const box = { x: 100, y: 100, width: 200, height: 200 };
const square = (x: number, y: number, s: number) => [
  { x, y },
  { x: x + s, y },
  { x: x + s, y: y + s },
  { x, y: y + s },
];

describe('referenceShareOfBox', () => {
  it('is the covered share of the box: inside, half in, outside', () => {
    expect(referenceShareOfBox(square(120, 120, 40), box)).toBeCloseTo(1600 / 40000, 10);
    expect(referenceShareOfBox(square(80, 150, 40), box)).toBeCloseTo(800 / 40000, 10);
    expect(referenceShareOfBox(square(10, 10, 60), box)).toBe(0);
    expect(referenceShareOfBox(square(300, 120, 40), box)).toBe(0); // touching the edge from outside
  });

  it('clips a tilted quadrilateral over a corner, in either winding', () => {
    // a diamond centred on the box's top-left corner: a quarter of it lies inside
    const diamond = [
      { x: 100, y: 60 },
      { x: 140, y: 100 },
      { x: 100, y: 140 },
      { x: 60, y: 100 },
    ];
    expect(referenceShareOfBox(diamond, box)).toBeCloseTo(800 / 40000, 10);
    expect(referenceShareOfBox([...diamond].reverse(), box)).toBeCloseTo(800 / 40000, 10);
  });

  it('is 1 for a reference larger than the box', () => {
    expect(referenceShareOfBox(square(0, 0, 500), box)).toBeCloseTo(1, 10);
  });
});
