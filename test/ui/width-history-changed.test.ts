import { describe, expect, it } from 'vitest';
import { historyChanged } from '../../src/ui/width-history-changed';

describe('historyChanged', () => {
  const point = { id: 'a', at: 1, widthMm: 0.3, uncertainMm: 0.05, reliable: true };
  it('compares histories by value', () => {
    expect(historyChanged([point], [{ ...point }])).toBe(false);
    expect(historyChanged([], undefined)).toBe(false);
    expect(historyChanged([point], [])).toBe(true);
    expect(historyChanged([{ ...point, widthMm: 0.31 }], [point])).toBe(true);
  });
});
