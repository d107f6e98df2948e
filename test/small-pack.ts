/**
 * A copy of a model with a small rehearsal pack, for tests whose training run would otherwise
 * classify or featurise every photo of the shipped pack (300) and spend most of its time there.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A rehearsal pack photo as the pack's index.json lists it. */
export interface PackItem {
  file: string;
  label: string;
  surface: string;
  use: string;
  source?: string;
}

/**
 * Copies the model in `modelDir` to `dir` with only the first `perGroup` photos of every surface,
 * label and use of its rehearsal pack (or as many as `perGroup(item)` says for the item's group), so
 * that a training run's old-versus-new comparison (which classifies every `eval` photo of the pack)
 * and its site router (which featurises every photo) stay short in a test. Returns the kept items.
 */
export function writeModelWithSmallPack(
  modelDir: string,
  dir: string,
  perGroup: number | ((item: PackItem) => number),
): PackItem[] {
  for (const f of ['model.json', 'weights.bin', 'seen.json'])
    if (existsSync(path.join(modelDir, f))) copyFileSync(path.join(modelDir, f), path.join(dir, f));
  const packDir = path.join(modelDir, 'rehearsal');
  if (!existsSync(path.join(packDir, 'index.json'))) return [];
  const index = JSON.parse(readFileSync(path.join(packDir, 'index.json'), 'utf8')) as { items: PackItem[] };
  const taken = new Map<string, number>();
  const items = index.items.filter((i) => {
    const key = `${i.surface}/${i.label}/${i.use}`;
    taken.set(key, (taken.get(key) ?? 0) + 1);
    return taken.get(key)! <= (typeof perGroup === 'number' ? perGroup : perGroup(i));
  });
  mkdirSync(path.join(dir, 'rehearsal'));
  for (const i of items) copyFileSync(path.join(packDir, i.file), path.join(dir, 'rehearsal', i.file));
  writeFileSync(path.join(dir, 'rehearsal', 'index.json'), JSON.stringify({ ...index, items }));
  return items;
}
