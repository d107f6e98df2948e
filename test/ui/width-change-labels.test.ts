import { describe, expect, it } from 'vitest';
import { earlierChoiceText, earlierLinkState, earlierLinkText } from '../../src/ui/width-change-labels';
import { finding } from '../core/finding-fixture';

const day = new Date(2025, 5, 1, 9).getTime(); // local time: 6/1/2025

describe('earlierChoiceText', () => {
  it('names the date, type, width, element and the start of the notes', () => {
    const measurement = {
      widthMm: 0.304,
      meanWidthMm: 0.2,
      lengthMm: 50,
      uncertainMm: 0.05,
      mmPerPx: 0.1,
      scale: 'marker' as const,
      standard: 'aashto-rc',
      widthClass: 'CS2',
    };
    const notes = 'Near the bearing,\n  rust stains along the lower flange';
    expect(earlierChoiceText(finding('a', { createdAt: day, measurement, notes }))).toBe(
      '6/1/2025 · Crack · 0.30 mm · Pier 2 · Near the bearing, rust stains al…',
    );
    expect(earlierChoiceText(finding('b', { createdAt: day }))).toBe('6/1/2025 · Crack · no width · Pier 2');
  });
});

/** A width 0.12 mm wider (± 0.05) than at the earlier record of 6/1/2025. */
const change = {
  earlierId: 'a',
  earlierAt: day,
  earlierWidthMm: 0.3,
  changeMm: 0.12,
  uncertainMm: 0.05,
  trend: 'wider' as const,
  reliable: true,
};

describe('earlierLinkText', () => {
  it('gives the change since the earlier record with its ± and trend', () => {
    expect(earlierLinkText({ kind: 'change', change })).toBe('Since 6/1/2025 (0.30 mm): +0.12 mm ±0.05, wider');
    const within = { ...change, changeMm: -0.03, trend: 'unchanged' as const, reliable: false };
    expect(earlierLinkText({ kind: 'change', change: within })).toBe(
      'Since 6/1/2025 (0.30 mm): −0.03 mm ±0.05, no change beyond the ± (a width not reliable)',
    );
  });

  it('says when there is nothing to compare', () => {
    expect(earlierLinkText({ kind: 'unmeasured', earlierAt: day })).toBe(
      'Same crack as the finding of 6/1/2025: no widths to compare',
    );
    expect(earlierLinkText({ kind: 'missing', earlierId: 'x' })).toBe('Same crack as a finding not on this device');
  });
});

describe('earlierLinkState', () => {
  it("gives the trend of a change, else the link's kind", () => {
    expect(earlierLinkState({ kind: 'change', change })).toBe('wider');
    expect(earlierLinkState({ kind: 'change', change: { ...change, trend: 'unchanged' } })).toBe('unchanged');
    expect(earlierLinkState({ kind: 'unmeasured', earlierAt: day })).toBe('unmeasured');
    expect(earlierLinkState({ kind: 'missing', earlierId: 'x' })).toBe('missing');
  });
});
