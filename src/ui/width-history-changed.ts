import type { WidthHistoryPoint } from '../core/width-change';

/**
 * Whether a width history differs from the one before (by value): the findings list computes it anew
 * at each render, and the chart is redrawn only when its points change.
 */
export function historyChanged(next: readonly WidthHistoryPoint[], previous?: readonly WidthHistoryPoint[]): boolean {
  return JSON.stringify(next) !== JSON.stringify(previous ?? []);
}
