import { describe, expect, it } from 'vitest';
import { ENGLISH_REPORT_LABELS } from '../../src/core/report/report-labels';
import { NAMED_CLASSES, classDisplayName, surfaceDisplayName } from '../../src/ui/class-names';

describe('classDisplayName and surfaceDisplayName', () => {
  it('name the known classes and surfaces in words', () => {
    expect(NAMED_CLASSES.map(classDisplayName)).toEqual(['Crack', 'No crack', 'Normal', 'Anomaly', 'Salt damage']);
    expect(['concrete', 'asphalt', 'walls', 'brick'].map(surfaceDisplayName)).toEqual([
      'concrete',
      'asphalt',
      'walls',
      'brick',
    ]);
  });

  it('are the classes the English report names', () => {
    expect(Object.keys(ENGLISH_REPORT_LABELS.classNames).sort()).toEqual([...NAMED_CLASSES].sort());
    for (const label of NAMED_CLASSES) expect(ENGLISH_REPORT_LABELS.classNames[label]).toBe(classDisplayName(label));
  });

  it('show what an inspector named as it was typed', () => {
    expect(classDisplayName('efflorescence')).toBe('efflorescence');
    expect(surfaceDisplayName('pier-3')).toBe('pier-3');
  });
});
