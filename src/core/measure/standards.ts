/**
 * Crack-width classes of inspection standards and design codes, and the class of a measured width
 * with its uncertainty ('uncertain' when the interval straddles a boundary).
 */

/** A class boundary: widths below `mm` fall in the lower class; `mm` itself in the lower class when `inclusiveBelow`. */
export interface ClassBoundary {
  mm: number;
  inclusiveBelow: boolean;
}

/** A standard's classes in order of width, with the boundaries between them. */
export interface WidthStandard {
  id: string;
  name: string;
  /** Class names, narrowest first; classes.length = boundaries.length + 1. */
  classes: string[];
  boundaries: ClassBoundary[];
}

const below = (mm: number): ClassBoundary => ({ mm, inclusiveBelow: false });
const upTo = (mm: number): ClassBoundary => ({ mm, inclusiveBelow: true });

/** A limit of a design code: within it or beyond it. */
const limit = (id: string, name: string, mm: number): WidthStandard => ({
  id,
  name,
  classes: ['within', 'exceeds'],
  boundaries: [upTo(mm)],
});

/** ACI 224R-01 Table 4.1, reasonable crack widths of reinforced concrete under service loads, by exposure. */
export const ACI224_EXPOSURES = {
  'dry-air': 0.41,
  humidity: 0.3,
  'de-icing': 0.18,
  seawater: 0.15,
  'water-retaining': 0.1,
} as const;

/** Eurocode 2 (EN 1992-1-1) Table 7.1N recommended w_max, by exposure class group. */
export const EC2_EXPOSURES = {
  /** Reinforced members, X0 and XC1 (appearance only). */
  'x0-xc1': 0.4,
  /** Reinforced members, XC2-XC4, XD1-XD3, XS1-XS3. */
  'xc2-xs3': 0.3,
  /** Prestressed members with bonded tendons, X0-XC4. */
  prestressed: 0.2,
} as const;

export type Aci224Exposure = keyof typeof ACI224_EXPOSURES;
export type Ec2Exposure = keyof typeof EC2_EXPOSURES;

/** Standard ids that `widthStandard` accepts. */
export const STANDARD_IDS = ['aashto-rc', 'aashto-ps', 'aci224', 'ec2'] as const;
export type StandardId = (typeof STANDARD_IDS)[number];

/** Exposure used for aci224 and ec2 when none is given. */
export const DEFAULT_EXPOSURE = { aci224: 'humidity', ec2: 'xc2-xs3' } as const;

/** Throws naming the valid values when `value` is not one of them. */
function checkOneOf(what: string, value: string, valid: readonly string[]): void {
  if (!valid.includes(value)) throw new Error(`unknown ${what} '${value}'; valid: ${valid.join(', ')}`);
}

/**
 * The standard of `id` (and, for aci224 and ec2, `exposure`, else their default). AASHTO MBEI:
 * reinforced concrete (element defect 1130) CS1 < 0.3, CS2 0.3-1.3, CS3 > 1.3 mm; prestressed (1110)
 * CS1 < 0.1, CS2 0.1-0.23, CS3 > 0.23 mm.
 * @throws naming the valid ids or exposures
 */
export function widthStandard(id: string, exposure?: string): WidthStandard {
  checkOneOf('standard', id, STANDARD_IDS);
  if (exposure !== undefined && id !== 'aci224' && id !== 'ec2') {
    throw new Error(`standard '${id}' takes no exposure; exposures are for aci224 and ec2`);
  }
  if (id === 'aashto-rc') {
    return {
      id,
      name: 'AASHTO MBEI reinforced concrete',
      classes: ['CS1', 'CS2', 'CS3'],
      boundaries: [below(0.3), upTo(1.3)],
    };
  }
  if (id === 'aashto-ps') {
    return {
      id,
      name: 'AASHTO MBEI prestressed concrete',
      classes: ['CS1', 'CS2', 'CS3'],
      boundaries: [below(0.1), upTo(0.23)],
    };
  }
  if (id === 'aci224') {
    const e = exposure ?? DEFAULT_EXPOSURE.aci224;
    checkOneOf('aci224 exposure', e, Object.keys(ACI224_EXPOSURES));
    return limit(`aci224:${e}`, `ACI 224R Table 4.1 (${e})`, ACI224_EXPOSURES[e as Aci224Exposure]);
  }
  const e = exposure ?? DEFAULT_EXPOSURE.ec2;
  checkOneOf('ec2 exposure', e, Object.keys(EC2_EXPOSURES));
  return limit(`ec2:${e}`, `Eurocode 2 Table 7.1N (${e})`, EC2_EXPOSURES[e as Ec2Exposure]);
}

/**
 * The short name a record's standard id is printed with: `AASHTO RC`, `AASHTO PS`, `ACI 224R (humidity)`,
 * `EC2 (XC2-XS3)`; an id it does not know (a record from a later version) as it is.
 */
export function standardShortName(id: string): string {
  const [family, exposure] = id.split(':');
  if (family === 'aashto-rc' && exposure === undefined) return 'AASHTO RC';
  if (family === 'aashto-ps' && exposure === undefined) return 'AASHTO PS';
  if (family === 'aci224' && exposure) return `ACI 224R (${exposure})`;
  if (family === 'ec2' && exposure) return `EC2 (${exposure.startsWith('x') ? exposure.toUpperCase() : exposure})`;
  return id;
}

/** The class index of a width (no uncertainty). */
function classIndex(s: WidthStandard, widthMm: number): number {
  let k = 0;
  for (const b of s.boundaries) if (b.inclusiveBelow ? widthMm > b.mm : widthMm >= b.mm) k++;
  return k;
}

/** A width's class, or 'uncertain' with the classes its interval spans. */
export interface WidthClass {
  widthClass: string;
  /** Set when widthClass is 'uncertain': the narrowest and widest class the interval reaches. */
  between?: [string, string];
}

/** The class of `widthMm` +- `uncertainMm` under `s`. */
export function classifyWidth(s: WidthStandard, widthMm: number, uncertainMm: number): WidthClass {
  if (!Number.isFinite(widthMm) || widthMm < 0) throw new Error(`width must be a number >= 0 mm, got ${widthMm}`);
  if (!Number.isFinite(uncertainMm) || uncertainMm < 0) {
    throw new Error(`uncertainty must be a number >= 0 mm, got ${uncertainMm}`);
  }
  const lo = classIndex(s, Math.max(0, widthMm - uncertainMm));
  const hi = classIndex(s, widthMm + uncertainMm);
  if (lo === hi) return { widthClass: s.classes[lo] };
  return { widthClass: 'uncertain', between: [s.classes[lo], s.classes[hi]] };
}
