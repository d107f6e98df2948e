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
 * The findings that match every key `filter` sets, in their order; the earlier findings that
 * `widthTrend` compares with are looked up among `findings`.
 */
export function filterFindings(findings: readonly FindingFields[], filter: FindingFilter): FindingFields[] {
  const byId = new Map(findings.map((f) => [f.id, f]));
  const trend = (f: FindingFields) => {
    const link = earlierFindingLink(f, byId);
    return link?.kind === 'change' ? link.change.trend : undefined;
  };
  return findings.filter(
    (f) =>
      (filter.inspection === undefined || f.context.inspection === filter.inspection) &&
      (filter.structure === undefined || f.context.structure === filter.structure) &&
      (filter.element === undefined || f.context.element === filter.element) &&
      (filter.defectType === undefined || f.defectType === filter.defectType) &&
      (filter.conditionState === undefined || f.conditionState === filter.conditionState) &&
      (filter.widthTrend === undefined || trend(f) === filter.widthTrend),
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
