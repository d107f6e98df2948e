import { describe, expect, it } from 'vitest';
import { classDisplayName, surfaceDisplayName } from '../../src/ui/class-names';

describe('classDisplayName and surfaceDisplayName', () => {
  it('name the known classes and surfaces in words', () => {
    expect(['crack', 'nocrack', 'normal', 'anomaly', 'salt-damage'].map(classDisplayName)).toEqual([
      'Crack',
      'No crack',
      'Normal',
      'Anomaly',
      'Salt damage',
    ]);
    expect(['concrete', 'asphalt', 'walls', 'brick'].map(surfaceDisplayName)).toEqual([
      'concrete',
      'asphalt',
      'walls',
      'brick',
    ]);
  });

  it('show what an inspector named as it was typed', () => {
    expect(classDisplayName('efflorescence')).toBe('efflorescence');
    expect(surfaceDisplayName('pier-3')).toBe('pier-3');
  });
});
