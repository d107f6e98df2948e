import { describe, expect, it } from 'vitest';
import type { FindingFields, FindingMeasurement } from '../../../src/core/finding';
import { earlierRecordText, measurementText, verdictText, widthCell } from '../../../src/core/report/report-format';
import { ENGLISH_REPORT_LABELS } from '../../../src/core/report/report-labels';

const m: FindingMeasurement = {
  widthMm: 0.423,
  meanWidthMm: 0.311,
  lengthMm: 51.6,
  uncertainMm: 0.08,
  mmPerPx: 0.08,
  scale: 'marker',
  standard: 'aashto-rc',
  widthClass: 'CS2',
};

describe('measurementText (the report line of a crack measurement)', () => {
  it('prints maximum width with its uncertainty, mean, length and class', () => {
    expect(measurementText(m)).toBe('0.42 mm (± 0.08), mean 0.31 mm / 52 mm, AASHTO RC: CS2');
  });

  it('names the classes an uncertain width spans', () => {
    const uncertain = { ...m, widthMm: 0.31, widthClass: 'uncertain', between: ['CS1', 'CS2'] as [string, string] };
    expect(measurementText(uncertain)).toBe(
      '0.31 mm (± 0.08), mean 0.31 mm / 52 mm, AASHTO RC: uncertain (CS1 or CS2)',
    );
  });

  it('says which reference gave the scale when told', () => {
    expect(measurementText({ ...m, scale: 'card' }, ENGLISH_REPORT_LABELS, 'scale: bank card')).toBe(
      '0.42 mm (± 0.08), mean 0.31 mm / 52 mm, AASHTO RC: CS2; scale: bank card',
    );
  });

  it('says why a width is not reliable, after the scale', () => {
    const caveats: ('move-closer' | 'hold-still')[] = ['move-closer', 'hold-still'];
    expect(measurementText({ ...m, caveats }, ENGLISH_REPORT_LABELS, 'scale: printed marker')).toBe(
      '0.42 mm (± 0.08), mean 0.31 mm / 52 mm, AASHTO RC: CS2; scale: printed marker; ' +
        'width not reliable: the crack is under 2 px wide in the photo, the photo is blurred',
    );
    expect(widthCell({ ...m, caveats }, ENGLISH_REPORT_LABELS)).toBe('0.42 mm CS2 *');
    expect(widthCell(m, ENGLISH_REPORT_LABELS)).toBe('0.42 mm CS2');
  });

  it("prints the standard's short name and the classes in the report's words", () => {
    const ja = {
      mean: '平均',
      uncertainClass: '判定不能（{lo} または {hi}）',
      limitClasses: { within: '許容値以内', exceeds: '許容値超過' },
      unreliableWidth: '幅は信頼できません: {reasons}',
      widthCaveats: {
        'move-closer': '写真上のひび割れ幅が 2 px 未満',
        'hold-still': '写真がぶれている',
        'face-surface': '写真が斜めすぎる',
      },
    };
    const limit = {
      ...m,
      standard: 'ec2:xc2-xs3',
      widthClass: 'uncertain',
      between: ['within', 'exceeds'] as [string, string],
    };
    expect(measurementText(limit, ja)).toBe(
      '0.42 mm (± 0.08), 平均 0.31 mm / 52 mm, EC2 (XC2-XS3): 判定不能（許容値以内 または 許容値超過）',
    );
    expect(measurementText({ ...m, standard: 'aci224:humidity', widthClass: 'exceeds' }, ja)).toContain(
      'ACI 224R (humidity): 許容値超過',
    );
    expect(measurementText({ ...m, standard: 'jsce-2030' })).toContain('jsce-2030: CS2'); // an id from a later version
  });

  it('gives the summary table a short cell: width and class, both classes when uncertain', () => {
    expect(widthCell(m, ENGLISH_REPORT_LABELS)).toBe('0.42 mm CS2');
    expect(widthCell({ ...m, widthClass: 'uncertain', between: ['CS1', 'CS2'] }, ENGLISH_REPORT_LABELS)).toBe(
      '0.42 mm CS1/CS2',
    );
    expect(widthCell({ ...m, standard: 'ec2:x0-xc1', widthClass: 'within' }, ENGLISH_REPORT_LABELS)).toBe(
      '0.42 mm within the limit',
    );
    const straddling = {
      ...m,
      standard: 'ec2:x0-xc1',
      widthClass: 'uncertain',
      between: ['within', 'exceeds'] as [string, string],
    };
    expect(widthCell(straddling, ENGLISH_REPORT_LABELS)).toBe('0.42 mm within the limit/exceeds the limit');
    expect(widthCell(undefined, ENGLISH_REPORT_LABELS)).toBe('–');
  });

  it('names the built-in classes in the verdict and prints other labels as they are', () => {
    const verdict = (label: string, unfamiliar = false) =>
      verdictText({ verdict: { label, probability: 0.974, unfamiliar } } as FindingFields, ENGLISH_REPORT_LABELS);
    expect(verdict('nocrack')).toBe('No crack 97 %');
    expect(verdict('crack', true)).toBe('Crack 97 % (unfamiliar surface)');
    expect(verdict('salt-damage')).toBe('Salt damage 97 %');
    expect(verdict('efflorescence')).toBe('efflorescence 97 %');
    expect(verdict('constructor')).toBe('constructor 97 %');
  });
});

describe('earlierRecordText (the report line of the earlier record of the same defect)', () => {
  const change = {
    earlierId: 'f-1',
    earlierAt: Date.UTC(2025, 5, 1, 9),
    earlierWidthMm: 0.3,
    changeMm: 0.123,
    uncertainMm: 0.05,
    trend: 'wider' as const,
    reliable: true,
  };
  it('gives the earlier date and width and the change with its ± and trend', () => {
    expect(earlierRecordText({ kind: 'change', change }, ENGLISH_REPORT_LABELS)).toBe(
      '2025-06-01: 0.30 mm, +0.12 mm (± 0.05) wider',
    );
    const within = { ...change, changeMm: -0.02, trend: 'unchanged' as const, reliable: false };
    expect(earlierRecordText({ kind: 'change', change: within }, ENGLISH_REPORT_LABELS)).toBe(
      '2025-06-01: 0.30 mm, -0.02 mm (± 0.05) no change beyond the ±; a width not reliable',
    );
  });

  it('says when there are no widths to compare or the finding is not there', () => {
    expect(earlierRecordText({ kind: 'unmeasured', earlierAt: change.earlierAt }, ENGLISH_REPORT_LABELS)).toBe(
      '2025-06-01: no widths to compare',
    );
    expect(earlierRecordText({ kind: 'missing', earlierId: 'f-9' }, ENGLISH_REPORT_LABELS)).toBe(
      'finding f-9, not on the exporting device',
    );
  });
});
