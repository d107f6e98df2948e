import { describe, expect, it } from 'vitest';
import { validateFindingFields, type FindingFields, type FindingMeasurement } from '../../src/core/finding';
import {
  earlierFindingChoices,
  earlierFindingLink,
  MAX_EARLIER_CHOICES,
  widthHistory,
  widthChange,
} from '../../src/core/width-change';
import { finding } from './finding-fixture';

function measured(widthMm: number, uncertainMm: number, over: Partial<FindingMeasurement> = {}): FindingMeasurement {
  return {
    widthMm,
    meanWidthMm: widthMm / 2,
    lengthMm: 100,
    uncertainMm,
    mmPerPx: 0.1,
    scale: 'marker',
    standard: 'aashto-rc',
    widthClass: 'CS1',
    ...over,
  };
}

/** A finding recorded at `createdAt`. */
const at = (id: string, createdAt: number, over: Partial<FindingFields> = {}): FindingFields =>
  finding(id, { createdAt, updatedAt: createdAt, ...over });

describe('widthChange', () => {
  it('calls a change wider or narrower only beyond the two widths combined uncertainty', () => {
    const earlier = at('a', 1, { measurement: measured(0.3, 0.03) });
    const wider = widthChange(at('b', 2, { measurement: measured(0.4, 0.04) }), earlier);
    expect(wider).toMatchObject({ earlierId: 'a', earlierAt: 1, earlierWidthMm: 0.3, trend: 'wider', reliable: true });
    expect(wider?.changeMm).toBeCloseTo(0.1, 12);
    expect(wider?.uncertainMm).toBeCloseTo(0.05, 12);
    expect(widthChange(at('b', 2, { measurement: measured(0.34, 0.04) }), earlier)?.trend).toBe('unchanged');
    expect(widthChange(at('b', 2, { measurement: measured(0.26, 0.04) }), earlier)?.trend).toBe('unchanged');
    expect(widthChange(at('b', 2, { measurement: measured(0.2, 0.04) }), earlier)?.trend).toBe('narrower');
  });

  it('is not reliable when either width has caveats, and undefined without both widths', () => {
    const earlier = at('a', 1, { measurement: measured(0.1, 0.05, { caveats: ['move-closer'] }) });
    expect(widthChange(at('b', 2, { measurement: measured(0.5, 0.05) }), earlier)?.reliable).toBe(false);
    expect(widthChange(at('b', 2), earlier)).toBeUndefined();
    expect(widthChange(at('b', 2, { measurement: measured(0.5, 0.05) }), at('a', 1))).toBeUndefined();
  });
});

describe('earlierFindingChoices', () => {
  it('offers earlier findings of the same structure and element, newest first', () => {
    const now = at('now', 100);
    const all = [
      now,
      at('old', 10),
      at('newer', 50, { context: { ...now.context, element: ' pier 2 ', structure: 'BRIDGE 12' } }),
      at('later', 200),
      at('other-pier', 60, { context: { ...now.context, element: 'Pier 3' } }),
      at('other-bridge', 70, { context: { ...now.context, structure: 'Bridge 13' } }),
      at('loop', 80, { earlierFindingId: 'now' }),
    ];
    expect(earlierFindingChoices(now, all).map((f) => f.id)).toEqual(['newer', 'old']);
  });

  it('offers every earlier finding when the structure and element are not set, at most 50', () => {
    const now = at('now', 1000, { context: { inspection: 'x', structure: '', element: '', inspector: '' } });
    const all = Array.from({ length: 60 }, (_, i) => at(`f${i}`, i));
    const choices = earlierFindingChoices(now, all);
    expect(choices).toHaveLength(MAX_EARLIER_CHOICES);
    expect(choices[0].id).toBe('f59');
  });
});

describe('earlierFindingLink', () => {
  it('gives the change, an unmeasured link or a missing finding', () => {
    const earlier = at('a', 1, { measurement: measured(0.3, 0.03) });
    const byId = new Map([['a', earlier]]);
    const later = at('b', 2, { measurement: measured(0.5, 0.03), earlierFindingId: 'a' });
    expect(earlierFindingLink(later, byId)).toMatchObject({ kind: 'change', change: { trend: 'wider' } });
    expect(earlierFindingLink({ ...later, measurement: undefined }, byId)).toEqual({
      kind: 'unmeasured',
      earlierAt: 1,
    });
    expect(earlierFindingLink({ ...later, earlierFindingId: 'gone' }, byId)).toEqual({
      kind: 'missing',
      earlierId: 'gone',
    });
    expect(earlierFindingLink(at('c', 3), byId)).toBeUndefined();
  });
});

describe('earlierFindingId', () => {
  it('must name another finding', () => {
    expect(validateFindingFields(at('b', 2, { earlierFindingId: 'a' })).earlierFindingId).toBe('a');
    expect(() => validateFindingFields(at('b', 2, { earlierFindingId: 'b' }))).toThrow(
      /earlierFindingId must name another finding/,
    );
    expect(() => validateFindingFields(at('b', 2, { earlierFindingId: '' }))).toThrow(
      /earlierFindingId must not be empty/,
    );
  });
});

describe('widthHistory', () => {
  it('follows the chain of earlier findings back, oldest first, leaving out records without a width', () => {
    const a = at('a', 1, { measurement: measured(0.2, 0.03) });
    const b = at('b', 2, { earlierFindingId: 'a' });
    const c = at('c', 3, { earlierFindingId: 'b', measurement: measured(0.3, 0.04, { caveats: ['hold-still'] }) });
    const d = at('d', 4, { earlierFindingId: 'c', measurement: measured(0.35, 0.03) });
    const byId = new Map([a, b, c, d].map((f) => [f.id, f]));
    expect(widthHistory(d, byId)).toEqual([
      { id: 'a', at: 1, widthMm: 0.2, uncertainMm: 0.03, reliable: true },
      { id: 'c', at: 3, widthMm: 0.3, uncertainMm: 0.04, reliable: false },
      { id: 'd', at: 4, widthMm: 0.35, uncertainMm: 0.03, reliable: true },
    ]);
    expect(widthHistory(a, byId).map((p) => p.id)).toEqual(['a']);
  });

  it('stops at a missing finding and at a loop', () => {
    const x = at('x', 2, { earlierFindingId: 'gone', measurement: measured(0.2, 0.03) });
    expect(widthHistory(x, new Map([['x', x]])).map((p) => p.id)).toEqual(['x']);
    const p = at('p', 1, { earlierFindingId: 'q', measurement: measured(0.2, 0.03) });
    const q = at('q', 2, { earlierFindingId: 'p', measurement: measured(0.3, 0.03) });
    expect(widthHistory(q, new Map([p, q].map((f) => [f.id, f]))).map((f) => f.id)).toEqual(['p', 'q']);
  });
});
