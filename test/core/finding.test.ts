import { describe, expect, it } from 'vitest';
import {
  CONDITION_STATE_WORDING,
  CONDITION_STATES,
  defectTypeForVerdict,
  FindingFieldError,
  patchFinding,
  validateFindingFields,
  validateInspectionContext,
  type FindingFields,
} from '../../src/core/finding';
import { filterFindings, findingFilterValues } from '../../src/core/finding-filter';
import { finding } from './finding-fixture';

describe('finding fields', () => {
  it('accepts a complete finding and names the field and valid values of a bad one', () => {
    expect(validateFindingFields(finding('a'))).toEqual(finding('a'));
    const bad = (over: object) => () => validateFindingFields(finding('a', over as Partial<FindingFields>));
    expect(bad({ orientation: 'sideways' })).toThrow(/orientation must be one of horizontal, vertical, diagonal, map/);
    expect(bad({ positionMissing: 'lost' })).toThrow(/positionMissing must be one of denied, unavailable, timeout/);
    expect(bad({ verdict: { label: 'crack', probability: 1.5, unfamiliar: false } })).toThrow(
      /verdict\.probability must be a number from 0 to 1; got 1\.5/,
    );
    expect(bad({ position: { latitude: 95, longitude: 0, accuracy: 5 } })).toThrow(
      /position\.latitude .* from -90 to 90/,
    );
    expect(bad({ position: { latitude: 1, longitude: 2, accuracy: 5 } })).toThrow(
      /either a position or positionMissing/,
    );
    expect(bad({ notes: 'x'.repeat(4001) })).toThrow(/notes must be at most 4000 characters; got 4001/);
    const measurement = {
      widthMm: 0.2,
      meanWidthMm: 0.1,
      lengthMm: 9,
      uncertainMm: 0.05,
      mmPerPx: 0.1,
      scale: 'marker',
    };
    const m = { ...measurement, standard: 'aashto-rc', widthClass: 'CS1', caveats: ['blurry'] };
    expect(bad({ measurement: m })).toThrow(
      /measurement\.caveats must be one of move-closer, hold-still, face-surface/,
    );
    const still = { source: 'take-photo', width: 4000, height: 3000 };
    expect(
      validateFindingFields(
        finding('a', { still: { ...still, view: { width: 1920, height: 1080 } } as FindingFields['still'] }),
      ).still.view,
    ).toEqual({ width: 1920, height: 1080 });
    expect(bad({ still: { ...still, view: { width: 0, height: 1080 } } })).toThrow(
      /still\.view\.width must be a number from 1/,
    );
    try {
      bad({ defectType: 'rust' })();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FindingFieldError);
      expect((e as FindingFieldError).field).toBe('defectType');
    }
  });

  it('requires an inspection name in the context', () => {
    const context = finding('a').context;
    expect(validateInspectionContext({ ...context, inspector: '' })).toBeTruthy();
    expect(() => validateInspectionContext({ ...context, inspection: '' })).toThrow(
      /context\.inspection must not be empty/,
    );
  });

  it('patches keep id and createdAt, stamp updatedAt, and a new position clears positionMissing', () => {
    const next = patchFinding(
      finding('a'),
      { conditionState: 2, position: { latitude: 35, longitude: 139, accuracy: 8 } },
      5000,
    );
    expect(next).toMatchObject({ id: 'a', createdAt: 1000, updatedAt: 5000, conditionState: 2 });
    expect(next.positionMissing).toBeUndefined();
    expect(() => patchFinding(finding('a'), { conditionState: 0 as 1 }, 5000)).toThrow(/1, 2, 3, 4; got 0/);
  });

  it('words every condition state and maps verdicts to defect types', () => {
    expect(CONDITION_STATES.map((s) => CONDITION_STATE_WORDING[s].name)).toEqual(['Good', 'Fair', 'Poor', 'Severe']);
    expect(defectTypeForVerdict('crack')).toBe('crack');
    expect(defectTypeForVerdict('salt-damage')).toBe('salt-damage');
    expect(defectTypeForVerdict('nocrack')).toBe('other');
    expect(defectTypeForVerdict(undefined)).toBe('other');
  });
});

describe('finding filter', () => {
  const list = [
    finding('a', { conditionState: 2 }),
    finding('b', { defectType: 'spalling', context: { ...finding('b').context, element: 'Deck' } }),
    finding('c', { conditionState: 2, context: { ...finding('c').context, structure: 'Bridge 7' } }),
  ];

  it('keeps the findings that match every key set', () => {
    const ids = (f: Parameters<typeof filterFindings>[1]) => filterFindings(list, f).map((x) => x.id);
    expect(ids({})).toEqual(['a', 'b', 'c']);
    expect(ids({ conditionState: 2 })).toEqual(['a', 'c']);
    expect(ids({ conditionState: 2, structure: 'Bridge 12' })).toEqual(['a']);
    expect(ids({ defectType: 'spalling' })).toEqual(['b']);
    expect(ids({ element: 'Pier 2', inspection: 'Route 9' })).toEqual(['a', 'c']);
    expect(ids({ inspection: 'other' })).toEqual([]);
  });

  it('keeps the findings whose width changed so since the earlier record they name', () => {
    const width = (widthMm: number) => ({
      widthMm,
      meanWidthMm: widthMm / 2,
      lengthMm: 40,
      uncertainMm: 0.03,
      mmPerPx: 0.1,
      scale: 'marker' as const,
      standard: 'aashto-rc',
      widthClass: 'CS1',
    });
    const history = [
      finding('old', { measurement: width(0.2) }),
      finding('grown', { measurement: width(0.4), earlierFindingId: 'old' }),
      finding('same', { measurement: width(0.21), earlierFindingId: 'old' }),
      finding('unmeasured', { earlierFindingId: 'old' }),
    ];
    const ids = (widthTrend: 'wider' | 'narrower' | 'unchanged') =>
      filterFindings(history, { widthTrend }).map((x) => x.id);
    expect(ids('wider')).toEqual(['grown']);
    expect(ids('unchanged')).toEqual(['same']);
    expect(ids('narrower')).toEqual([]);
  });

  it('offers each distinct value once, sorted', () => {
    expect(findingFilterValues(list)).toEqual({
      inspection: ['Route 9'],
      structure: ['Bridge 12', 'Bridge 7'],
      element: ['Deck', 'Pier 2'],
    });
  });
});
