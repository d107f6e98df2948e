/**
 * How a finding is laid out in the PouchDB database (pure mapping, no database access):
 *
 * - `finding:<id>`: the {@link FindingFields} plus `type: 'finding'` and `stillDownscaled`, with the
 *   attachments `crop.png`, `overlay.png` and `still.jpg` (the still, downscaled to a long side of at
 *   most 1600 px when it was larger);
 * - `finding-still:<id>`: `type: 'finding-still'` with the full-resolution still as `still.jpg`, present
 *   only when `still.jpg` of the finding is a downscaled copy (the sync skips it by default).
 */
import type { FindingFields } from '../core/finding';
import type { DOC_PREFIX as DocPrefix } from './local-db';

/**
 * The `_id` prefixes of a finding and of its full still: local-db.ts's DOC_PREFIX values (checked
 * against it by type), repeated here so that this mapping loads without PouchDB (which needs a browser).
 */
const PREFIX = {
  finding: 'finding:' satisfies (typeof DocPrefix)['finding'],
  findingStill: 'finding-still:' satisfies (typeof DocPrefix)['findingStill'],
} as const;

/** Attachment names. */
export const ATTACHMENT = { crop: 'crop.png', overlay: 'overlay.png', still: 'still.jpg' } as const;

/** The document of a finding: its fields and how its still is kept. */
export type FindingDocBody = FindingFields & {
  type: 'finding';
  /** True when `still.jpg` is a downscaled copy and the full still is (or was) in the `finding-still:` doc. */
  stillDownscaled: boolean;
};

/** The document holding a finding's full-resolution still. */
export interface FindingStillDocBody {
  type: 'finding-still';
  findingId: string;
}

/** `_id` of finding `id`'s document. */
export const findingDocId = (id: string): string => `${PREFIX.finding}${id}`;

/** `_id` of the document with finding `id`'s full-resolution still. */
export const findingStillDocId = (id: string): string => `${PREFIX.findingStill}${id}`;

/** True for the `_id` of a finding document (not its still, not another kind). */
export const isFindingDocId = (docId: string): boolean => docId.startsWith(PREFIX.finding);

/** The finding id in a finding document's `_id`. */
export function findingIdOf(docId: string): string {
  if (!isFindingDocId(docId))
    throw new Error(`'${docId}' is not a finding document id (it must start with 'finding:')`);
  return docId.slice(PREFIX.finding.length);
}

/** The body of finding `fields`' document (attachments are added by the store). */
export function findingDocBody(fields: FindingFields, stillDownscaled: boolean): FindingDocBody {
  return { ...fields, type: 'finding', stillDownscaled };
}

/** Keys of a finding document that are not finding fields. */
const NOT_FIELDS = new Set([
  '_id',
  '_rev',
  '_deleted',
  '_conflicts',
  '_attachments',
  '_revisions',
  'type',
  'stillDownscaled',
]);

/** The finding fields of a stored finding document (PouchDB's and the layout's own keys removed). */
export function fieldsOfDoc(doc: object): FindingFields {
  const entries = Object.entries(doc).filter(([key]) => !NOT_FIELDS.has(key));
  return Object.fromEntries(entries) as unknown as FindingFields;
}

/** True when a stored finding document says its `still.jpg` is a downscaled copy. */
export function isStillDownscaled(doc: object): boolean {
  return (doc as Partial<FindingDocBody>).stillDownscaled === true;
}
