/**
 * What an adapted model has seen, for seen.json: the photos its parent saw (the parent's seen.json,
 * data set by data set), the site's training and validation photos, and the photos it rehearsed
 * (a pack photo by the data-set photo it was cut from; a `--replay` folder's by name). `npm run eval`
 * skips them all, so an adapted model's retention on, e.g., concrete is measured on photos that
 * neither it nor its parent trained on.
 */
import path from 'node:path';
import type { SeenList } from './data-sets';
import { readSeenList } from './model-cli';
import type { LabelledFile } from './node-io';

/** A rehearsed photo: a pack photo carries its surface and source; a folder's photo neither. */
type RehearsedFile = LabelledFile & { surface?: unknown; source?: unknown };

/** The parent's seen photos by data set (none when it has no readable seen.json, e.g. a model from elsewhere). */
async function parentSeen(parentModelJson: string): Promise<Record<string, string[]>> {
  const seen = await readSeenList(parentModelJson).catch((): SeenList => ({}));
  if (seen.sets) return { ...seen.sets };
  if (typeof seen.data === 'string' && Array.isArray(seen.files)) return { [path.basename(seen.data)]: seen.files };
  return {};
}

/**
 * The seen list of a model adapted from `parentModelJson` on `site` (its name and "label/file"
 * names), rehearsing `rehearsed` (from the folder `replayName` when given, else the parent's pack).
 */
export async function lineageSeen(
  parentModelJson: string,
  site: { name: string; files: readonly string[] },
  rehearsed: readonly RehearsedFile[],
  replayName?: string,
): Promise<SeenList> {
  const sets = await parentSeen(parentModelJson);
  const add = (set: string, names: readonly string[]) => (sets[set] = [...new Set([...(sets[set] ?? []), ...names])]);
  add(site.name, site.files);
  for (const f of rehearsed) {
    if (replayName) add(replayName, [`${f.label}/${path.basename(f.path)}`]);
    else if (typeof f.surface === 'string' && typeof f.source === 'string') add(f.surface, [f.source]);
  }
  for (const names of Object.values(sets)) names.sort();
  const names = Object.keys(sets).sort();
  return {
    data: names.join(','),
    files: names.flatMap((n) => sets[n]).sort(),
    sets: Object.fromEntries(names.map((n) => [n, sets[n]])),
  };
}
