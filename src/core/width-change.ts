/**
 * Following one crack over inspections: a finding may name an earlier finding of the same defect
 * (`earlierFindingId`), e.g. the same crack at the last periodic inspection. Whether the crack has
 * widened is the question an inspector asks of it: the change of the maximum width, judged against
 * the two measurements' uncertainties.
 */
import type { FindingFields } from './finding';

/** Wider or narrower beyond the two widths' combined uncertainty, else unchanged. */
export const WIDTH_TRENDS = ['wider', 'narrower', 'unchanged'] as const;
export type WidthTrend = (typeof WIDTH_TRENDS)[number];

/** How a finding's maximum width compares with its earlier finding's. */
export interface WidthChange {
  earlierId: string;
  /** When the earlier finding was recorded (milliseconds since the epoch). */
  earlierAt: number;
  earlierWidthMm: number;
  /** This width minus the earlier one, mm. */
  changeMm: number;
  /**
   * +- of the change, mm: the two widths' uncertainties added in quadrature (independent
   * measurements), the same coverage as each width's own +-.
   */
  uncertainMm: number;
  trend: WidthTrend;
  /** False when either width carries caveats (too thin, blurred, oblique): the change is not to be trusted. */
  reliable: boolean;
}

/**
 * The change of `later`'s maximum width since `earlier` (the finding `later.earlierFindingId` names);
 * undefined when either has no measurement.
 */
export function widthChange(later: FindingFields, earlier: FindingFields): WidthChange | undefined {
  const [now, then] = [later.measurement, earlier.measurement];
  if (!now || !then) return undefined;
  const changeMm = now.widthMm - then.widthMm;
  const uncertainMm = Math.hypot(now.uncertainMm, then.uncertainMm);
  const trend: WidthTrend = changeMm > uncertainMm ? 'wider' : changeMm < -uncertainMm ? 'narrower' : 'unchanged';
  return {
    earlierId: earlier.id,
    earlierAt: earlier.createdAt,
    earlierWidthMm: then.widthMm,
    changeMm,
    uncertainMm,
    trend,
    reliable: !now.caveats?.length && !then.caveats?.length,
  };
}

/**
 * A width change in mm with its sign and two decimals: `+0.12`, `-0.05`, `+0.00`; `minus` is the
 * sign written for a narrowing (the screens use the typographic `−`).
 */
export function signedMm(mm: number, minus = '-'): string {
  return `${mm < 0 ? minus : '+'}${Math.abs(mm).toFixed(2)}`;
}

/** Most earlier findings offered to link to. */
export const MAX_EARLIER_CHOICES = 50;

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The findings `finding` may name as its earlier record of the same defect: recorded before it, of
 * the same structure and element where `finding` names them (compared without case or surrounding
 * spaces), newest first, at most {@link MAX_EARLIER_CHOICES}. A finding that names `finding` itself
 * is left out (no loops).
 */
export function earlierFindingChoices(finding: FindingFields, all: readonly FindingFields[]): FindingFields[] {
  const { structure, element } = finding.context;
  return all
    .filter(
      (f) =>
        f.id !== finding.id &&
        f.createdAt < finding.createdAt &&
        f.earlierFindingId !== finding.id &&
        (structure.trim() === '' || sameText(f.context.structure, structure)) &&
        (element.trim() === '' || sameText(f.context.element, element)),
    )
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, MAX_EARLIER_CHOICES);
}

/**
 * What a finding's link to an earlier finding gives, looked up in `byId`: the width change; `unmeasured`
 * (the earlier finding is here but one of the two has no width); `missing` (not on this device:
 * deleted, or not synced yet); undefined when the finding names none.
 */
export type EarlierFindingLink =
  | { kind: 'change'; change: WidthChange }
  | { kind: 'unmeasured'; earlierAt: number }
  | { kind: 'missing'; earlierId: string };

export function earlierFindingLink(
  finding: FindingFields,
  byId: ReadonlyMap<string, FindingFields>,
): EarlierFindingLink | undefined {
  const id = finding.earlierFindingId;
  if (id === undefined) return undefined;
  const earlier = byId.get(id);
  if (!earlier) return { kind: 'missing', earlierId: id };
  const change = widthChange(finding, earlier);
  return change ? { kind: 'change', change } : { kind: 'unmeasured', earlierAt: earlier.createdAt };
}

/** One measured record of a defect in its history. */
export interface WidthHistoryPoint {
  id: string;
  /** When the finding was recorded (milliseconds since the epoch). */
  at: number;
  widthMm: number;
  uncertainMm: number;
  /** False when the width carries caveats. */
  reliable: boolean;
}

/** Most records {@link widthHistory} follows back. */
export const MAX_HISTORY = 50;

/**
 * The measured widths of `finding`'s defect over time, oldest first: `finding` and the earlier findings
 * its `earlierFindingId` chain names, as far as `byId` has them (a link to a finding already seen ends
 * it); records without a width are left out.
 */
export function widthHistory(finding: FindingFields, byId: ReadonlyMap<string, FindingFields>): WidthHistoryPoint[] {
  const points: WidthHistoryPoint[] = [];
  const seen = new Set<string>();
  let f: FindingFields | undefined = finding;
  while (f && !seen.has(f.id) && seen.size < MAX_HISTORY) {
    seen.add(f.id);
    const m = f.measurement;
    if (m)
      points.push({
        id: f.id,
        at: f.createdAt,
        widthMm: m.widthMm,
        uncertainMm: m.uncertainMm,
        reliable: !m.caveats?.length,
      });
    f = f.earlierFindingId === undefined ? undefined : byId.get(f.earlierFindingId);
  }
  return points.reverse();
}
