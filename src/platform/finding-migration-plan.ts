/**
 * What moving the legacy findings database into the PouchDB store has left to do, and whether what was
 * written reads back complete (pure). The migration copies only findings the PouchDB store lacks, so
 * an interrupted run resumes where it stopped and never overwrites a finding edited since.
 */
import type { FindingFields } from '../core/finding';

/** The ids of legacy findings still to copy: those not yet in the new store, in legacy order. */
export function findingsToCopy(legacyIds: readonly string[], storedIds: ReadonlySet<string>): string[] {
  return legacyIds.filter((id) => !storedIds.has(id));
}

/** What a finding looks like for the read-back check: its fields and the byte length of each image. */
export interface FindingShape {
  fields: FindingFields;
  /** Bytes of the full-resolution still, the crop and the overlay. */
  still: number;
  crop: number;
  overlay: number;
}

/** Deep equality of plain JSON data (fields as stored), independent of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The differences between a legacy finding and the copy read back from the new store (empty when the
 * copy is complete). A finding already in the new store before this run may have been edited since:
 * only its presence is checked then (pass `edited: true`).
 */
export function readBackProblems(source: FindingShape, copy: FindingShape | undefined, edited = false): string[] {
  const id = source.fields.id;
  if (!copy) return [`finding ${id} is missing from the new store`];
  if (edited) return [];
  const problems: string[] = [];
  if (!sameJson(source.fields, copy.fields)) problems.push(`finding ${id}: the fields differ`);
  for (const image of ['still', 'crop', 'overlay'] as const) {
    if (source[image] !== copy[image])
      problems.push(`finding ${id}: the ${image} has ${copy[image]} bytes, the original ${source[image]}`);
  }
  return problems;
}
