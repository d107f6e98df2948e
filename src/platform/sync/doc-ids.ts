/**
 * The `_id` prefixes of local-db.ts (checked against it by type), without loading PouchDB: the sync's
 * pure parts run in Node too.
 */
import type { DOC_PREFIX as DocPrefix } from '../local-db';

export const FINDING_PREFIX = 'finding:' satisfies (typeof DocPrefix)['finding'];
export const FINDING_STILL_PREFIX = 'finding-still:' satisfies (typeof DocPrefix)['findingStill'];
export const MODEL_PREFIX = 'model:' satisfies (typeof DocPrefix)['model'];
export const CAPTURE_PREFIX = 'capture:' satisfies (typeof DocPrefix)['capture'];
export const CAPTURE_FRAME_PREFIX = 'capture-frame:' satisfies (typeof DocPrefix)['captureFrame'];
export const CAPTURE_CLASS_PREFIX = 'capture-class:' satisfies (typeof DocPrefix)['captureClass'];
