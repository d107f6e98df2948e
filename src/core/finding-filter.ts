/**
 * Filtering a findings list by inspection, structure, element, defect type and condition state, and
 * the values each filter can offer.
 */
import type { ConditionState, DefectType, FindingFields } from './finding';

/** What to keep; an absent key keeps every value. */
export interface FindingFilter {
  inspection?: string;
  structure?: string;
  element?: string;
  defectType?: DefectType;
  conditionState?: ConditionState;
}

/** The findings that match every key `filter` sets, in their order. */
export function filterFindings(findings: readonly FindingFields[], filter: FindingFilter): FindingFields[] {
  return findings.filter(
    (f) =>
      (filter.inspection === undefined || f.context.inspection === filter.inspection) &&
      (filter.structure === undefined || f.context.structure === filter.structure) &&
      (filter.element === undefined || f.context.element === filter.element) &&
      (filter.defectType === undefined || f.defectType === filter.defectType) &&
      (filter.conditionState === undefined || f.conditionState === filter.conditionState),
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
