/**
 * The rehearsal pack a model ships with (`<model folder>/rehearsal/index.json` and its 227x227 JPEG
 * crops): photos of the surfaces the model already knows, mixed into fine-tuning so that it learns a
 * new site without forgetting them (`use: 'train'`), and a held-out part never trained on, for the
 * before/after check of the old surfaces (`use: 'eval'`). Written by `npm run rehearsal-pack`, read
 * by src/platform/rehearsal-pack.ts (app) and src/cli/rehearsal-pack.ts (CLI).
 */

/** Version of the index format. */
export const REHEARSAL_INDEX_VERSION = 1;

/** The folder of a model's rehearsal pack, next to its model.json, and its index file. */
export const REHEARSAL_FOLDER = 'rehearsal';
export const REHEARSAL_INDEX_FILE = 'index.json';

/** What a pack item is for: rehearsed in training, or held out for the old-surface check. */
export const REHEARSAL_USES = ['train', 'eval'] as const;
export type RehearsalUse = (typeof REHEARSAL_USES)[number];

/** One photo of the pack. */
export interface RehearsalIndexItem {
  /** File name in the pack folder (no folders: letters, digits, `._-`). */
  file: string;
  label: string;
  /** The surface (data set) it shows, e.g. `concrete`. */
  surface: string;
  use: RehearsalUse;
  /** The photo it was cut from, `label/file` in its data set (so evaluations can skip it). */
  source?: string;
}

/** Where a surface's photos come from, for the credits. */
export interface RehearsalSource {
  surface: string;
  dataset: string;
  licence: string;
  credit: string;
}

/** The pack's index.json. */
export interface RehearsalIndex {
  version: number;
  /** Side of the square crops, in pixels (the model's input size). */
  size: number;
  items: RehearsalIndexItem[];
  sources: RehearsalSource[];
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(jpg|jpeg|png)$/;

/** One item checked, or an error naming the item, the field and what is allowed. */
function validateItem(value: unknown, i: number): RehearsalIndexItem {
  const item = value as Partial<Record<keyof RehearsalIndexItem, unknown>> | null;
  const fail = (field: string, want: string): never => {
    const got = item && typeof item === 'object' ? JSON.stringify(item[field as keyof RehearsalIndexItem]) : 'missing';
    throw new Error(`rehearsal index: items[${i}].${field} is ${got}; expected ${want}`);
  };
  if (typeof item !== 'object' || item === null) throw new Error(`rehearsal index: items[${i}] is not an object`);
  if (typeof item.file !== 'string' || !FILE_NAME.test(item.file))
    fail('file', 'a .jpg or .png file name without folders');
  if (typeof item.label !== 'string' || item.label.length === 0) fail('label', 'a class name');
  if (typeof item.surface !== 'string' || item.surface.length === 0) fail('surface', 'a surface name');
  if (!REHEARSAL_USES.includes(item.use as RehearsalUse)) fail('use', REHEARSAL_USES.map((u) => `"${u}"`).join(' or '));
  if (item.source !== undefined && typeof item.source !== 'string') fail('source', 'a "label/file" string');
  return item as RehearsalIndexItem;
}

/**
 * Checks an untrusted index.json value and returns it typed; the error names the field that is wrong
 * and what is allowed. File names must be unique.
 */
export function validateRehearsalIndex(value: unknown): RehearsalIndex {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('rehearsal index: not a JSON object');
  const v = value as Partial<Record<keyof RehearsalIndex, unknown>>;
  if (v.version !== REHEARSAL_INDEX_VERSION)
    throw new Error(`rehearsal index: version is ${JSON.stringify(v.version)}; expected ${REHEARSAL_INDEX_VERSION}`);
  if (typeof v.size !== 'number' || !Number.isInteger(v.size) || v.size < 32)
    throw new Error(`rehearsal index: size is ${JSON.stringify(v.size)}; expected an integer >= 32 (227)`);
  if (!Array.isArray(v.items) || v.items.length === 0)
    throw new Error('rehearsal index: items must be a non-empty array');
  if (!Array.isArray(v.sources)) throw new Error('rehearsal index: sources must be an array');
  const items = v.items.map(validateItem);
  const files = new Set<string>();
  for (const item of items) {
    if (files.has(item.file)) throw new Error(`rehearsal index: file ${item.file} is listed twice`);
    files.add(item.file);
  }
  return { version: v.version, size: v.size, items, sources: v.sources as RehearsalSource[] };
}

/** The surfaces of a pack, in the order they first appear. */
export function rehearsalSurfaces(items: readonly { surface: string }[]): string[] {
  return [...new Set(items.map((i) => i.surface))];
}

/**
 * The items a run rehearses: the `train` items whose label the run has, of `surfaces` (undefined: every
 * surface), at most `perGroup` of every surface and label (the pack's order, which the writer shuffled
 * with its seed); undefined: all.
 */
export function rehearsalTrainItems<T extends { label: string; surface: string; use: RehearsalUse }>(
  items: readonly T[],
  labels: readonly string[],
  perGroup?: number,
  surfaces?: readonly string[],
): T[] {
  const taken = new Map<string, number>();
  return items.filter((item) => {
    if (item.use !== 'train' || !labels.includes(item.label)) return false;
    if (surfaces && !surfaces.includes(item.surface)) return false;
    const key = `${item.surface}/${item.label}`;
    const n = taken.get(key) ?? 0;
    taken.set(key, n + 1);
    return perGroup === undefined || n < perGroup;
  });
}
