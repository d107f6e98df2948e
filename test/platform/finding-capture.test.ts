import { describe, expect, it } from 'vitest';
import { validateFindingFields } from '../../src/core/finding';
import { newFindingFields, type FindingSnapshot } from '../../src/platform/finding-capture';

const context = { inspection: 'Route 9', structure: 'Bridge 12', element: 'Pier 2', inspector: 'A. Sato' };
const pixels = { width: 1, height: 1 } as ImageData;

function snapshot(over: Partial<FindingSnapshot> = {}): FindingSnapshot {
  return {
    crop: pixels,
    frame: pixels,
    overlay: pixels,
    verdict: { label: 'crack', probability: 0.87 },
    unfamiliar: false,
    model: { name: 'crackcam-default', version: 4 },
    takenAt: 1_750_000_000_000,
    ...over,
  };
}

describe('newFindingFields', () => {
  it('copies the context, verdict, model, time, still and position into valid fields', () => {
    const f = newFindingFields(
      snapshot({ frame: { width: 1920, height: 1080 } as ImageData }),
      context,
      { source: 'take-photo', width: 4032, height: 3024 },
      { position: { latitude: 35.1, longitude: 139.2, accuracy: 7 } },
    );
    expect(validateFindingFields(f)).toBe(f);
    expect(f).toMatchObject({
      createdAt: 1_750_000_000_000,
      context,
      defectType: 'crack',
      verdict: { label: 'crack', probability: 0.87, unfamiliar: false },
      model: { name: 'crackcam-default', version: 4 },
      position: { latitude: 35.1, longitude: 139.2, accuracy: 7 },
      // the video's size beside the photo's: the crop box lies in the photo as the video's view does
      still: { source: 'take-photo', width: 4032, height: 3024, view: { width: 1920, height: 1080 } },
    });
    expect(f.positionMissing).toBeUndefined();
    expect(f.context).not.toBe(context);
  });

  it('says why the position is missing and keeps the unfamiliar flag; a no-crack verdict starts as other', () => {
    const f = newFindingFields(
      snapshot({ verdict: { label: 'nocrack', probability: 0.6 }, unfamiliar: true }),
      context,
      { source: 'video-frame', width: 640, height: 480 },
      { missing: 'denied' },
    );
    expect(validateFindingFields(f)).toBe(f);
    expect(f.position).toBeUndefined();
    expect(f.positionMissing).toBe('denied');
    expect(f.defectType).toBe('other');
    expect(f.verdict.unfamiliar).toBe(true);
    const g = newFindingFields(
      snapshot(),
      context,
      { source: 'video-frame', width: 1, height: 1 },
      { missing: 'timeout' },
    );
    expect(g.id).not.toBe(f.id);
  });
});
