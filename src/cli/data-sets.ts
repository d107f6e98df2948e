/**
 * Several labelled folders trained on as one model (e.g. concrete, asphalt, walls): each folder is a
 * surface, split on its own with the same seeded fractions (so every surface has its own held-out
 * photos), and oversampled so that no surface drowns the others.
 */
import path from 'node:path';
import { createRng, shuffled } from '../core/random';
import { stratifiedSplit, type Split, type SplitFractions } from '../core/split';
import { listLabelledImages, type LabelledFile } from './node-io';

/** A labelled folder: its name (the folder's), and its photos. */
export interface DataSet {
  name: string;
  dir: string;
  labels: string[];
  files: LabelledFile[];
}

/** A photo with the surface (data set) it comes from. */
export interface SurfaceFile extends LabelledFile {
  surface: string;
}

/** `--data DIR[,DIR...]`: the folders, each a data set named after its folder; names must differ. */
export async function readDataSets(flag: string): Promise<DataSet[]> {
  const dirs = flag
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  if (dirs.length === 0) throw new Error('--data names no folder');
  const sets: DataSet[] = [];
  for (const dir of dirs) {
    const { labels, files } = await listLabelledImages(dir);
    sets.push({ name: path.basename(path.resolve(dir)), dir, labels, files });
  }
  const names = sets.map((s) => s.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0)
    throw new Error(
      `--data names two folders called ${twice.join(', ')}: each data set is known by its folder's name, so they must differ`,
    );
  return sets;
}

/** The labels of all sets, sorted (a surface may lack some, e.g. walls has only `nocrack`). */
export function unionLabels(sets: readonly DataSet[]): string[] {
  return [...new Set(sets.flatMap((s) => s.labels))].sort();
}

/** Each set split on its own (stratified by label, the same fractions and seed), photos tagged with their surface. */
export function splitEach(sets: readonly DataSet[], fractions: SplitFractions, seed: number): Split<SurfaceFile> {
  const out: Split<SurfaceFile> = { train: [], validation: [], test: [] };
  for (const set of sets) {
    const split = stratifiedSplit(
      set.files.map((f) => ({ ...f, surface: set.name })),
      fractions,
      seed,
    );
    out.train.push(...split.train);
    out.validation.push(...split.validation);
    out.test.push(...split.test);
  }
  return out;
}

/**
 * The training photos with every surface repeated (whole copies, then a seeded choice for the rest)
 * until it has at least `share` x the photos of the largest surface; a repeated photo gets another
 * augmentation each time it is seen. share 0 leaves the list as it is.
 */
export function balanceSurfaces<T extends { surface: string }>(train: readonly T[], share: number, seed: number): T[] {
  if (!(share >= 0 && share <= 1)) throw new Error(`balance share must be in [0, 1], got ${share}`);
  const bySurface = new Map<string, T[]>();
  for (const f of train) bySurface.set(f.surface, [...(bySurface.get(f.surface) ?? []), f]);
  const largest = Math.max(0, ...[...bySurface.values()].map((l) => l.length));
  const target = Math.ceil(share * largest);
  const rng = createRng(seed);
  const out: T[] = [];
  for (const photos of bySurface.values()) {
    out.push(...photos);
    let missing = target - photos.length;
    while (missing >= photos.length) {
      out.push(...photos);
      missing -= photos.length;
    }
    if (missing > 0) out.push(...shuffled(photos, rng).slice(0, missing));
  }
  return out;
}

/** The group of a photo for the novelty model: its surface and label, e.g. `concrete/crack`. */
export function groupOf(f: { surface: string; label: string }): string {
  return `${f.surface}/${f.label}`;
}

/** Training photos per group the novelty model learns by default (more add little to a 256-channel mean and covariance). */
export const NOVELTY_PHOTOS_PER_GROUP = 1000;

/** At most `n` photos of each group ({@link groupOf}), spread evenly over its list, in list order per group. */
export function spreadPerGroup<T extends { surface: string; label: string }>(files: readonly T[], n: number): T[] {
  const groups = new Map<string, T[]>();
  for (const f of files) groups.set(groupOf(f), [...(groups.get(groupOf(f)) ?? []), f]);
  return [...groups.values()].flatMap((list) => {
    if (list.length <= n) return list;
    const step = list.length / n;
    return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]);
  });
}

/** What seen.json holds: for one data set `{ data, files }`; for several, `{ sets: { name: files } }` as well. */
export interface SeenList {
  data?: string;
  files?: string[];
  sets?: Record<string, string[]>;
}

/** The "label/file" names each surface's photos in `files`. */
export function seenList(files: readonly SurfaceFile[]): SeenList {
  const sets: Record<string, string[]> = {};
  for (const f of files) (sets[f.surface] ??= []).push(`${f.label}/${path.basename(f.path)}`);
  for (const names of Object.values(sets)) names.sort();
  const names = Object.keys(sets);
  return names.length === 1
    ? { data: names[0], files: sets[names[0]] }
    : { data: names.join(','), files: Object.values(sets).flat().sort(), sets };
}

/** The names a seen list holds for the data set called `name` (none for another data set). */
export function seenFor(seen: SeenList, name: string): string[] {
  if (seen.sets) return seen.sets[name] ?? [];
  return seen.data === name ? (seen.files ?? []) : [];
}
