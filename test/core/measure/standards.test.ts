import { describe, expect, it } from 'vitest';
import { classifyWidth, STANDARD_IDS, standardShortName, widthStandard } from '../../../src/core/measure/standards';

describe('width standards', () => {
  const rc = widthStandard('aashto-rc');

  it('classes AASHTO reinforced concrete widths at 0.3 and 1.3 mm', () => {
    expect(classifyWidth(rc, 0.2, 0).widthClass).toBe('CS1');
    expect(classifyWidth(rc, 0.3, 0).widthClass).toBe('CS2');
    expect(classifyWidth(rc, 1.3, 0).widthClass).toBe('CS2');
    expect(classifyWidth(rc, 1.31, 0).widthClass).toBe('CS3');
    const ps = widthStandard('aashto-ps');
    expect([0.05, 0.15, 0.3].map((w) => classifyWidth(ps, w, 0).widthClass)).toEqual(['CS1', 'CS2', 'CS3']);
  });

  it("says 'uncertain' and names both neighbours when the interval straddles a boundary", () => {
    expect(classifyWidth(rc, 0.28, 0.05)).toEqual({ widthClass: 'uncertain', between: ['CS1', 'CS2'] });
    expect(classifyWidth(rc, 0.2, 0.05)).toEqual({ widthClass: 'CS1' });
    expect(classifyWidth(rc, 1.0, 0.4)).toEqual({ widthClass: 'uncertain', between: ['CS2', 'CS3'] });
  });

  it('takes limits by exposure for ACI 224R and Eurocode 2', () => {
    expect(classifyWidth(widthStandard('aci224', 'dry-air'), 0.4, 0).widthClass).toBe('within');
    expect(classifyWidth(widthStandard('aci224', 'water-retaining'), 0.12, 0).widthClass).toBe('exceeds');
    expect(widthStandard('aci224').id).toBe('aci224:humidity');
    expect(classifyWidth(widthStandard('ec2', 'x0-xc1'), 0.35, 0).widthClass).toBe('within');
    expect(classifyWidth(widthStandard('ec2', 'prestressed'), 0.25, 0).widthClass).toBe('exceeds');
  });

  it('names the valid values for an unknown standard or exposure', () => {
    expect(() => widthStandard('jis')).toThrow(`unknown standard 'jis'; valid: ${STANDARD_IDS.join(', ')}`);
    expect(() => widthStandard('aci224', 'mars')).toThrow(
      /valid: dry-air, humidity, de-icing, seawater, water-retaining/,
    );
    expect(() => widthStandard('aashto-rc', 'humidity')).toThrow(/takes no exposure/);
    expect(() => classifyWidth(rc, -1, 0)).toThrow(/width must be a number >= 0/);
  });

  it('gives every id a measurement can carry a short printed name, and leaves an unknown id as it is', () => {
    const ids = [
      ...STANDARD_IDS.filter((id) => id.startsWith('aashto')),
      widthStandard('aci224').id,
      widthStandard('aci224', 'seawater').id,
      widthStandard('ec2').id,
      widthStandard('ec2', 'prestressed').id,
    ];
    expect(ids.map(standardShortName)).toEqual([
      'AASHTO RC',
      'AASHTO PS',
      'ACI 224R (humidity)',
      'ACI 224R (seawater)',
      'EC2 (XC2-XS3)',
      'EC2 (prestressed)',
    ]);
    expect(standardShortName('aashto-rc:x')).toBe('aashto-rc:x');
    expect(standardShortName('jsce')).toBe('jsce');
  });
});
