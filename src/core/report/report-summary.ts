/**
 * The figures on the report's cover: inspection name, structures, elements and inspectors met, the
 * date range and how many findings there are of each defect type and condition state.
 */
import { CONDITION_STATES, DEFECT_TYPES, type ConditionState, type DefectType, type FindingFields } from '../finding';

/** Condition state of a finding, or `unrated` when none was given. */
export type StateKey = ConditionState | 'unrated';

export interface ReportSummary {
  inspection: string;
  /** Distinct values in order of first appearance (findings oldest first). */
  structures: string[];
  elements: string[];
  inspectors: string[];
  /** Oldest and newest createdAt, ms; undefined without findings. */
  from?: number;
  to?: number;
  total: number;
  byType: Record<DefectType, number>;
  byState: Record<StateKey, number>;
  withPosition: number;
}

const distinct = (values: string[]): string[] => [...new Set(values.filter((v) => v.trim() !== ''))];

const zeros = <K extends string | number>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Sums up `findings` (any order) of the inspection `inspection`. */
export function summariseFindings(inspection: string, findings: readonly FindingFields[]): ReportSummary {
  const sorted = [...findings].sort((a, b) => a.createdAt - b.createdAt);
  const byType = zeros(DEFECT_TYPES);
  const byState = zeros<StateKey>([...CONDITION_STATES, 'unrated']);
  for (const f of sorted) {
    byType[f.defectType] += 1;
    byState[f.conditionState ?? 'unrated'] += 1;
  }
  return {
    inspection,
    structures: distinct(sorted.map((f) => f.context.structure)),
    elements: distinct(sorted.map((f) => f.context.element)),
    inspectors: distinct(sorted.map((f) => f.context.inspector)),
    from: sorted[0]?.createdAt,
    to: sorted.at(-1)?.createdAt,
    total: sorted.length,
    byType,
    byState,
    withPosition: sorted.filter((f) => f.position).length,
  };
}
