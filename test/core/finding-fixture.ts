/** A minimal valid finding for the core tests: `over` replaces any field. */
import type { FindingFields } from '../../src/core/finding';

export function finding(id: string, over: Partial<FindingFields> = {}): FindingFields {
  return {
    id,
    createdAt: 1000,
    updatedAt: 1000,
    context: { inspection: 'Route 9', structure: 'Bridge 12', element: 'Pier 2', inspector: 'A. Sato' },
    defectType: 'crack',
    notes: '',
    verdict: { label: 'crack', probability: 0.9, unfamiliar: false },
    model: { name: 'm', version: 1 },
    positionMissing: 'denied',
    still: { source: 'video-frame', width: 640, height: 480 },
    ...over,
  };
}
