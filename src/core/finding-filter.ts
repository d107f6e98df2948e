/**
 * Filtering a findings list by inspection, structure, element, defect type, condition state and the
 * width's change since the earlier record, and the values each filter can offer.
 */
import type { ConditionState, DefectType, FindingFields } from './finding';
import { earlierFindingLink, type WidthTrend } from './width-change';

/** What to keep; an absent key keeps every value. */
export interface FindingFilter {
  inspection?: string;
  structure?: string;
  element?: string;
  defectType?: DefectType;
  conditionState?: ConditionState;
  /** The width's change since the earlier finding the finding names (both measured). */
  widthTrend?: WidthTrend;
}

/**
 * Whether a finding's width changed as `trend` says since the earlier finding it names, looked up
 * among `findings`; every finding matches when `trend` is undefined (and no lookup is built).
 */
function trendMatcher(
  findings: readonly FindingFields[],
  trend: WidthTrend | undefined,
): (f: FindingFields) => boolean {
  if (trend === undefined) return () => true;
  const byId = new Map(findings.map((f) => [f.id, f]));
  return (f) => {
    const link = earlierFindingLink(f, byId);
    return link?.kind === 'change' && link.change.trend === trend;
  };
}

/**
 * The findings that match every key `filter` sets, in their order; the earlier findings that
 * `widthTrend` compares with are looked up among `findings`.
 */
export function filterFindings(findings: readonly FindingFields[], filter: FindingFilter): FindingFields[] {
  const matchesTrend = trendMatcher(findings, filter.widthTrend);
  return findings.filter(
    (f) =>
      (filter.inspection === undefined || f.context.inspection === filter.inspection) &&
      (filter.structure === undefined || f.context.structure === filter.structure) &&
      (filter.element === undefined || f.context.element === filter.element) &&
      (filter.defectType === undefined || f.defectType === filter.defectType) &&
      (filter.conditionState === undefined || f.conditionState === filter.conditionState) &&
      matchesTrend(f),
  );
}

/** The distinct values of the text filters among `findings`, sorted. */
export interface FindingFilterValues {
  inspection: string[];
  structure: string[];
  element: string[];
}

/** The inspections, structures and elements that occur in `findings`, each sorted and without duplicates. */
export function findingFilterValues(findings: readonly FindingFields[]): FindingFilterValues {
  const distinct = (pick: (f: FindingFields) => string) => [...new Set(findings.map(pick))].sort();
  return {
    inspection: distinct((f) => f.context.inspection),
    structure: distinct((f) => f.context.structure),
    element: distinct((f) => f.context.element),
  };
}
