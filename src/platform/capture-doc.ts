/**
 * How captures are laid out in the PouchDB database (pure mapping, no database access):
 *
 * - `capture:<id>`: the capture's fields plus `type: 'capture'` and `hasFrame`, with the crop as the
 *   attachment `crop` (its own content type, PNG or JPEG);
 * - `capture-frame:<id>`: `type: 'capture-frame'` with the full frame as the attachment `frame` (the sync
 *   leaves it out unless the full-photo policy says otherwise);
 * - `capture-class:<name>`: `type: 'capture-class'`, the class name and its display order; one document
 *   per class, so that classes added on two devices offline merge without conflicts.
 */
import type { CaptureClass, CaptureFields, CaptureRecord } from './capture-record';
import { CAPTURE_CLASS_PREFIX, CAPTURE_FRAME_PREFIX, CAPTURE_PREFIX } from './sync/doc-ids';

/** Attachment names. */
export const CAPTURE_ATTACHMENT = { crop: 'crop', frame: 'frame' } as const;

/** The document of a capture: its fields and whether it has a full frame (in its own document). */
export type CaptureDocBody = CaptureFields & { type: 'capture'; hasFrame: boolean };

/** The document holding a capture's full frame. */
export interface CaptureFrameDocBody {
  type: 'capture-frame';
  captureId: string;
}

/** The document of a class. */
export type CaptureClassDocBody = CaptureClass & { type: 'capture-class' };

/** `_id` of capture `id`'s document. */
export const captureDocId = (id: string): string => `${CAPTURE_PREFIX}${id}`;

/** `_id` of the document with capture `id`'s full frame. */
export const captureFrameDocId = (id: string): string => `${CAPTURE_FRAME_PREFIX}${id}`;

/** `_id` of class `name`'s document. */
export const captureClassDocId = (name: string): string => `${CAPTURE_CLASS_PREFIX}${name}`;

/** The capture id of a `capture:` document id; undefined for any other kind of document. */
export const captureIdOf = (docId: string): string | undefined =>
  docId.startsWith(CAPTURE_PREFIX) ? docId.slice(CAPTURE_PREFIX.length) : undefined;

/** True for the `_id` of a capture or class document: what changes the captures list. */
export const isCaptureListDocId = (docId: string): boolean =>
  docId.startsWith(CAPTURE_PREFIX) || docId.startsWith(CAPTURE_CLASS_PREFIX);

/** The `startkey`/`endkey` of allDocs over every document whose `_id` starts with `prefix`. */
export const prefixRange = (prefix: string): { startkey: string; endkey: string } => ({
  startkey: prefix,
  endkey: `${prefix}\ufff0`,
});

/** The body of a capture's document (the store adds `_id` and the crop attachment). */
export function captureDocBody(record: CaptureRecord): CaptureDocBody {
  const { crop: _crop, frame, ...fields } = record;
  return { ...fields, type: 'capture', hasFrame: frame !== undefined };
}

/** Keys of a capture document that are not capture fields. */
const NOT_FIELDS = new Set(['_id', '_rev', '_deleted', '_conflicts', '_attachments', '_revisions', 'type', 'hasFrame']);

/** The capture fields of a stored capture document (PouchDB's and the layout's own keys removed). */
export function captureFieldsOfDoc(doc: object): CaptureFields {
  const entries = Object.entries(doc).filter(([key]) => !NOT_FIELDS.has(key));
  return Object.fromEntries(entries) as unknown as CaptureFields;
}

/** Class names in display order (then by name: two devices may have given two classes one order). */
export function orderedClassNames(classes: readonly CaptureClass[]): string[] {
  return [...classes]
    .sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((c) => c.name);
}

/** The bytes of a stored document's attachments, from their stubs (`length`). */
export function attachmentBytes(doc: { _attachments?: Record<string, { length?: number }> }): number {
  return Object.values(doc._attachments ?? {}).reduce((sum, a) => sum + (a.length ?? 0), 0);
}

/** The documents of classes among `labels` that `known` lacks, in first-seen order after the known ones. */
export function newClassDocs(known: readonly CaptureClass[], labels: readonly string[]): CaptureClassDocBody[] {
  const names = new Set(known.map((c) => c.name));
  const out: CaptureClassDocBody[] = [];
  for (const name of labels) {
    if (names.has(name)) continue;
    names.add(name);
    out.push({ type: 'capture-class', name, order: known.length + out.length });
  }
  return out;
}

/** Every class name in display order: the classes', then labels of captures whose class was removed elsewhere. */
export function classNames(classes: readonly CaptureClass[], labels: readonly string[]): string[] {
  const names = orderedClassNames(classes);
  return [...names, ...orphanLabels(names, labels)];
}

/** The class names of `captures` that no class document names, sorted (a class removed elsewhere). */
export function orphanLabels(classes: readonly string[], labels: readonly string[]): string[] {
  const known = new Set(classes);
  return [...new Set(labels.filter((l) => !known.has(l)))].sort();
}
