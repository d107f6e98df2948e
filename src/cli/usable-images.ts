/**
 * Training CLIs skip unreadable photos as eval does: every chosen photo is decoded once before any
 * training, the unreadable ones are listed (stderr, and `unreadable` in the --json summary) and
 * left out, and the run fails only when too few readable photos remain (see the rules below).
 */
import { checkImageFile, unreadableReason, type DecodeOptions } from './node-io';

/** A photo that could not be decoded, and why. */
export interface UnreadablePhoto {
  file: string;
  reason: string;
}

/** The photos a run can use and the ones it skips. */
export interface UsablePhotos<T> {
  usable: T[];
  unreadable: UnreadablePhoto[];
}

/** Photos decoded at the same time while checking. */
const CHECK_CONCURRENCY = 4;

/**
 * Decodes each photo once (as the run will, without keeping it) and splits them into usable and
 * unreadable, in their order; each unreadable one is reported on stderr with its reason.
 */
export async function usablePhotos<T extends { path: string }>(
  photos: readonly T[],
  decode: DecodeOptions,
): Promise<UsablePhotos<T>> {
  const readable: boolean[] = new Array<boolean>(photos.length).fill(false);
  const unreadable: UnreadablePhoto[] = [];
  for (let start = 0; start < photos.length; start += CHECK_CONCURRENCY) {
    const chunk = photos.slice(start, start + CHECK_CONCURRENCY);
    await Promise.all(
      chunk.map((p, i) =>
        checkImageFile(p.path, decode).then(
          () => (readable[start + i] = true),
          (e: unknown) => unreadable.push({ file: p.path, reason: unreadableReason(e) }),
        ),
      ),
    );
  }
  unreadable.sort((a, b) => a.file.localeCompare(b.file));
  for (const u of unreadable) process.stderr.write(`unreadable, skipped: ${u.file} (${u.reason})\n`);
  return { usable: photos.filter((_, i) => readable[i]), unreadable };
}

/** How many photos of a label a run needs, and what for (said in the error). */
export interface PhotoMinimum {
  count: number;
  why: string;
}

/**
 * Fails when, after skipping unreadable photos, a label of `labels` has fewer than `minimum.count`
 * usable photos among `usable`; the error names the labels, their counts and the skipped photos.
 */
export function requireUsablePerLabel(
  usable: readonly { label: string }[],
  labels: readonly string[],
  minimum: PhotoMinimum,
  skipped: readonly UnreadablePhoto[],
): void {
  const counts = new Map(labels.map((l) => [l, 0]));
  for (const p of usable) counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
  const short = labels.filter((l) => (counts.get(l) ?? 0) < minimum.count);
  if (short.length === 0) return;
  const have = short.map((l) => `${l} has ${counts.get(l) ?? 0}`).join(', ');
  const skippedNote =
    skipped.length > 0
      ? ` after skipping ${skipped.length} unreadable photo(s): ${skipped.map((s) => s.file).join(', ')}`
      : '';
  throw new Error(
    `too few readable photos${skippedNote}: ${have}; each label needs at least ${minimum.count} (${minimum.why})`,
  );
}

/**
 * Fails when skipping unreadable photos left `side` (e.g. "training") without any photo of a label
 * it had, naming the labels and the skipped photos.
 */
export function requireLabelsKept(
  side: string,
  before: readonly { label: string }[],
  after: readonly { label: string }[],
  skipped: readonly UnreadablePhoto[],
): void {
  const kept = new Set(after.map((p) => p.label));
  const lost = [...new Set(before.map((p) => p.label))].filter((l) => !kept.has(l)).sort();
  if (lost.length === 0) return;
  throw new Error(
    `no readable ${side} photo of ${lost.join(', ')} is left after skipping ${skipped.length} unreadable photo(s): ${skipped.map((s) => s.file).join(', ')}; ` +
      'each label needs at least one readable photo for training and one for validation',
  );
}
