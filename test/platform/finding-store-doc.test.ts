/** The finding <-> PouchDB document mapping (finding-doc.ts): ids, bodies, and fields read back. */
import { describe, expect, it } from 'vitest';
import type { FindingFields } from '../../src/core/finding';
import {
  fieldsOfDoc,
  findingDocBody,
  findingDocId,
  findingIdOf,
  findingStillDocId,
  isFindingDocId,
  isStillDownscaled,
} from '../../src/platform/finding-doc';

const fields: FindingFields = {
  id: '2026-05-01T08:00:00Z-7f3a',
  createdAt: 1000,
  updatedAt: 2000,
  context: { inspection: 'Route 9', structure: 'Bridge 12', element: 'Pier 2', inspector: '' },
  defectType: 'crack',
  conditionState: 3,
  notes: 'type and _id are words here too',
  verdict: { label: 'crack', probability: 0.9, unfamiliar: false },
  model: { name: 'crackcam-default', version: 1 },
  positionMissing: 'denied',
  still: { source: 'video-frame', width: 1280, height: 720 },
};

describe('finding documents', () => {
  it('names the finding and its full still apart, and reads the id back', () => {
    expect(findingDocId('a1')).toBe('finding:a1');
    expect(findingStillDocId('a1')).toBe('finding-still:a1');
    expect(isFindingDocId('finding:a1')).toBe(true);
    expect(isFindingDocId('finding-still:a1')).toBe(false);
    expect(isFindingDocId('model:a1')).toBe(false);
    expect(findingIdOf(findingDocId(fields.id))).toBe(fields.id);
    expect(() => findingIdOf('model:m1')).toThrow(
      /'model:m1' is not a finding document id \(it must start with 'finding:'\)/,
    );
  });

  it('round-trips the fields through a stored document, dropping PouchDB and layout keys', () => {
    const body = findingDocBody(fields, true);
    expect(body.type).toBe('finding');
    expect(isStillDownscaled(body)).toBe(true);
    expect(isStillDownscaled(findingDocBody(fields, false))).toBe(false);
    const stored = {
      ...body,
      _id: findingDocId(fields.id),
      _rev: '3-abc',
      _conflicts: ['3-def'],
      _attachments: { 'crop.png': { content_type: 'image/png', stub: true } },
    };
    expect(fieldsOfDoc(stored)).toEqual(fields);
  });
});
