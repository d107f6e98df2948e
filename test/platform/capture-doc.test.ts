/** How captures are laid out in PouchDB (capture-doc.ts) and the checks of the legacy move (capture-migration-plan.ts). */
import { describe, expect, it } from 'vitest';
import {
  attachmentBytes,
  captureClassDocId,
  captureDocBody,
  classNames,
  captureDocId,
  captureFieldsOfDoc,
  captureFrameDocId,
  captureIdOf,
  isCaptureListDocId,
  newClassDocs,
  orderedClassNames,
  orphanLabels,
} from '../../src/platform/capture-doc';
import { captureReadBackProblems, captureShape, legacyCaptureProblem } from '../../src/platform/capture-migration-plan';
import type { CaptureRecord } from '../../src/platform/capture-record';
import { withoutFullStills } from '../../src/platform/sync/photo-policy';

const blob = (n: number, type = 'image/png') => new Blob([new Uint8Array(n)], { type });
const record = (over: Partial<CaptureRecord> = {}): CaptureRecord => ({
  id: 'c1',
  label: 'crack',
  takenAt: 1000,
  source: 'camera',
  location: { latitude: 35.6, longitude: 139.7, accuracy: 10 },
  verdict: { label: 'crack', probability: 0.9 },
  crop: blob(100),
  frame: blob(2000, 'image/jpeg'),
  ...over,
});

describe('capture documents', () => {
  it('names the three kinds of documents and reads the capture id back', () => {
    expect(captureDocId('c1')).toBe('capture:c1');
    expect(captureFrameDocId('c1')).toBe('capture-frame:c1');
    expect(captureClassDocId('spalling')).toBe('capture-class:spalling');
    expect(captureIdOf('capture:c1')).toBe('c1');
    expect(captureIdOf('capture-frame:c1')).toBeUndefined();
    expect(captureIdOf('finding:c1')).toBeUndefined();
    expect(isCaptureListDocId('capture-class:x')).toBe(true);
    expect(isCaptureListDocId('capture-frame:x')).toBe(false);
  });

  it('keeps the fields in the body without the images, and gives them back without PouchDB keys', () => {
    const body = captureDocBody(record());
    expect(body).not.toHaveProperty('crop');
    expect(body).not.toHaveProperty('frame');
    expect(body).toMatchObject({ type: 'capture', hasFrame: true, label: 'crack', takenAt: 1000 });
    expect(captureDocBody(record({ frame: undefined })).hasFrame).toBe(false);
    const stored = { ...body, _id: 'capture:c1', _rev: '1-a', _attachments: { crop: { content_type: 'image/png' } } };
    const { crop: _c, frame: _f, ...fields } = record();
    expect(captureFieldsOfDoc(stored)).toEqual(fields);
  });

  it('adds classes in first-seen order after the known ones, and orders ties by name', () => {
    const known = [
      { name: 'crack', order: 0 },
      { name: 'nocrack', order: 1 },
    ];
    expect(newClassDocs(known, ['crack', 'spalling', 'rust', 'spalling'])).toEqual([
      { type: 'capture-class', name: 'spalling', order: 2 },
      { type: 'capture-class', name: 'rust', order: 3 },
    ]);
    // Two devices added a class each offline with the same order.
    expect(orderedClassNames([...known, { name: 'rust', order: 2 }, { name: 'efflorescence', order: 2 }])).toEqual([
      'crack',
      'nocrack',
      'efflorescence',
      'rust',
    ]);
    expect(orphanLabels(['crack'], ['rust', 'crack', 'rust', 'alkali'])).toEqual(['alkali', 'rust']);
    // A class removed on another device while this one still holds its captures comes last.
    expect(classNames([{ name: 'nocrack', order: 1 }, ...known.slice(0, 1)], ['rust', 'crack'])).toEqual([
      'crack',
      'nocrack',
      'rust',
    ]);
  });

  it('counts attachment bytes from the stubs', () => {
    expect(attachmentBytes({ _attachments: { crop: { length: 100 }, frame: { length: 2000 } } })).toBe(2100);
    expect(attachmentBytes({})).toBe(0);
  });

  it('leaves capture frames out of the default sync, crops and classes in', () => {
    expect(withoutFullStills({ _id: 'capture-frame:c1' })).toBe(false);
    expect(withoutFullStills({ _id: 'capture:c1' })).toBe(true);
    expect(withoutFullStills({ _id: 'capture-class:crack' })).toBe(true);
  });
});

describe('legacy capture move', () => {
  it('accepts a complete legacy record and names what is wrong with a damaged one', () => {
    expect(legacyCaptureProblem(record())).toBeUndefined();
    expect(legacyCaptureProblem(record({ frame: undefined, location: undefined }))).toBeUndefined();
    expect(legacyCaptureProblem(null)).toBe('the record is not an object');
    expect(legacyCaptureProblem({ ...record(), crop: undefined })).toBe('its crop image is missing or empty');
    expect(legacyCaptureProblem({ ...record(), crop: blob(0) })).toBe('its crop image is missing or empty');
    expect(legacyCaptureProblem({ ...record(), frame: 'x' })).toBe('its frame is not an image');
    expect(legacyCaptureProblem({ ...record(), takenAt: 'yesterday' })).toBe('its time is not a number');
    expect(legacyCaptureProblem({ ...record(), source: 'fax' })).toBe("its source 'fax' is unknown");
    expect(legacyCaptureProblem({ ...record(), label: '../x' })).toMatch(/not a valid class name/);
  });

  it('finds a copy complete only with the same fields and image sizes; an edited one only present', () => {
    const source = captureShape(record());
    expect(captureReadBackProblems(source, captureShape(record()))).toEqual([]);
    expect(captureReadBackProblems(source, undefined)).toEqual(['capture c1 is missing from the new store']);
    expect(captureReadBackProblems(source, captureShape(record({ frame: undefined })))).toEqual([
      'capture c1: the frame has no bytes, the original 2000',
    ]);
    expect(captureReadBackProblems(source, captureShape(record({ crop: blob(99), label: 'x' })))).toEqual([
      'capture c1: the fields differ',
      'capture c1: the crop has 99 bytes, the original 100',
    ]);
    expect(captureReadBackProblems(source, captureShape(record({ label: 'nocrack' })), true)).toEqual([]);
  });
});
