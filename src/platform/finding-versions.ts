/**
 * Which version of a conflicted finding is shown, and what resolving a conflict removes (pure).
 * When two devices edit a finding offline, PouchDB keeps both revisions and picks a winner by its
 * revision order; CrackCam shows the version edited last (`updatedAt`), so an inspector never sees an
 * older edit just because of a revision hash.
 */
import type { FindingFields } from '../core/finding';

/** One stored version of a finding. */
export interface FindingVersion {
  /** The PouchDB revision that holds it. */
  rev: string;
  fields: FindingFields;
}

/** Versions newest first: by `updatedAt`, then (for equal times) by revision, so every device orders alike. */
export function newestFirst<V extends FindingVersion>(versions: readonly V[]): V[] {
  return [...versions].sort((a, b) => b.fields.updatedAt - a.fields.updatedAt || compareRevs(b.rev, a.rev));
}

/** Orders revisions as PouchDB does: by generation number, then by hash. */
export function compareRevs(a: string, b: string): number {
  const generation = (rev: string) => Number.parseInt(rev.split('-')[0] ?? '0', 10);
  return generation(a) - generation(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The version shown for a finding: the newest of its versions. */
export function shownVersion<V extends FindingVersion>(versions: readonly V[]): V {
  if (versions.length === 0) throw new Error('a finding has at least one version; got none');
  return newestFirst(versions)[0];
}

/**
 * The revisions to delete so that `keep` is the only version left; throws, naming the versions there
 * are, when `keep` is not one of `revs`.
 */
export function revsToRemove(revs: readonly string[], keep: string, findingId: string): string[] {
  if (!revs.includes(keep))
    throw new Error(`'${keep}' is not a version of finding ${findingId}; its versions are ${revs.join(', ')}`);
  return revs.filter((rev) => rev !== keep);
}
