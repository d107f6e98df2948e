/**
 * Writes the rehearsal pack a model ships with: a seeded choice of photos per surface and label from
 * licence-compatible data sets, as 227x227 centre crops (JPEG), with index.json (src/core/trainer-rehearsal.ts).
 *   npm run rehearsal-pack -- --data DIR[,DIR...] --out DIR [--per-class N] [--eval-per-class M] [--seed S]
 *                             [--unseen-by MODEL] [--exclude DIR[,DIR...]] [--size PX] [--quality Q] [--force]
 */
import { mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createRng, shuffled } from '../core/random';
import {
  REHEARSAL_INDEX_FILE,
  REHEARSAL_INDEX_VERSION,
  type RehearsalIndex,
  type RehearsalIndexItem,
  type RehearsalSource,
} from '../core/trainer-rehearsal';
import { numberFlag, parseCli, runCli, stringFlags } from './args';
import { readDataSets, seenFor, type SurfaceFile } from './data-sets';
import { DEFAULT_MODEL, exists, listLabelledImages, modelJsonPath } from './node-io';
import { readSeenList } from './model-cli';

const USAGE = `usage: npm run rehearsal-pack -- --data DIR[,DIR...] --out DIR [--per-class N] [--eval-per-class M] [--seed S]
       [--unseen-by MODEL] [--exclude DIR[,DIR...]] [--size PX] [--quality Q] [--force]
  --data: labelled folders, one per surface, named after a data set whose licence allows shipping
  (concrete, asphalt, walls); --per-class N (default 40) photos per surface and label for training
  (use "train"), --eval-per-class M (default 20) more held out (use "eval": never trained on), taken first
  from photos that --unseen-by MODEL (default: the app's default model) did not see (its seen.json).
  --exclude: labelled folders (e.g. of symlinks) whose photos are never taken (evaluation sets).
  Writes DIR/<surface>-<label>-NNNN.jpg (centre square, --size 227, JPEG --quality 85) and DIR/index.json;
  --force replaces a pack already in DIR.`;

/** Data sets whose licence allows shipping derived photos with the app, and their credits (../shared/data/SOURCES.md). */
const SHIPPABLE_SOURCES: Record<string, Omit<RehearsalSource, 'surface'>> = {
  concrete: {
    dataset: 'Concrete Crack Images for Classification (METU campus buildings)',
    licence: 'CC BY 4.0',
    credit: 'Özgenel, Ç.F. (2019), Mendeley Data, v2, doi:10.17632/5y9wdsg2zt.2',
  },
  asphalt: {
    dataset: 'SUT-Crack asphalt photos and CrackSC asphalt photos (227x227 tiles cut by mask coverage)',
    licence: 'CC BY 4.0 (SUT-Crack, fredyGabriel-sut_*) / MIT (CrackSC, cracksc-*)',
    credit: 'SUT-Crack (via fredyGabriel/crackseg); CrackSC (via jonguo111/Transformer-Crack)',
  },
  walls: {
    dataset: 'SaltSpot "Civil damage structure images", healthy structure',
    licence: 'MIT',
    credit: 'SaltSpot (via JaGuzmanT/SaltSpot)',
  },
};

/** A photo chosen for the pack. */
interface ChosenPhoto extends SurfaceFile {
  use: RehearsalIndexItem['use'];
}

/**
 * The pack's photos: per surface and label, a seeded shuffle; `evalPerClass` held out first from the
 * photos `seen` does not list (then any), then `perClass` for training from the rest.
 */
function chooseRehearsalPhotos(
  files: readonly SurfaceFile[],
  counts: { perClass: number; evalPerClass: number },
  seed: number,
  seen: (f: SurfaceFile) => boolean,
): ChosenPhoto[] {
  const rng = createRng(seed);
  const groups = new Map<string, SurfaceFile[]>();
  for (const f of files) groups.set(`${f.surface}/${f.label}`, [...(groups.get(`${f.surface}/${f.label}`) ?? []), f]);
  return [...groups.values()].flatMap((group) => {
    const order = shuffled(group, rng);
    const evalPhotos = [...order.filter((f) => !seen(f)), ...order.filter(seen)].slice(0, counts.evalPerClass);
    const train = order.filter((f) => !evalPhotos.includes(f)).slice(0, counts.perClass);
    return [
      ...train.map((f) => ({ ...f, use: 'train' as const })),
      ...evalPhotos.map((f) => ({ ...f, use: 'eval' as const })),
    ];
  });
}

/** The real paths of every photo in the labelled folders of `flag` (comma-separated). */
async function excludedPaths(flag: string | undefined): Promise<Set<string>> {
  const out = new Set<string>();
  for (const dir of (flag ?? '').split(',').filter((d) => d.trim())) {
    for (const f of (await listLabelledImages(dir.trim())).files) out.add(await realpath(f.path));
  }
  return out;
}

/** Writes the chosen photos as centre-square JPEG crops and returns their index items. */
async function writeCrops(
  chosen: readonly ChosenPhoto[],
  out: string,
  image: { size: number; quality: number },
): Promise<RehearsalIndexItem[]> {
  const numbers = new Map<string, number>();
  const items: RehearsalIndexItem[] = [];
  for (const f of chosen) {
    const group = `${f.surface}-${f.label}`;
    const n = (numbers.get(group) ?? 0) + 1;
    numbers.set(group, n);
    const file = `${group}-${String(n).padStart(4, '0')}.jpg`;
    await sharp(f.path)
      .rotate()
      .resize(image.size, image.size, { fit: 'cover', position: 'centre' })
      .jpeg({ quality: image.quality })
      .toFile(path.join(out, file));
    items.push({ file, label: f.label, surface: f.surface, use: f.use, source: `${f.label}/${path.basename(f.path)}` });
  }
  return items;
}

runCli(async () => {
  const args = parseCli(USAGE, {
    ...stringFlags('data', 'out', 'per-class', 'eval-per-class', 'seed', 'unseen-by', 'exclude', 'size', 'quality'),
    force: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (!args.data || !args.out) throw new Error(`--data and --out are required\n${USAGE}`);
  const perClass = numberFlag('per-class', args['per-class'], 40, { integer: true, min: 0 });
  const evalPerClass = numberFlag('eval-per-class', args['eval-per-class'], 20, { integer: true, min: 0 });
  const seed = numberFlag('seed', args.seed, 1, { integer: true });
  const size = numberFlag('size', args.size, 227, { integer: true, min: 32 });
  const quality = numberFlag('quality', args.quality, 85, { integer: true, min: 1, max: 100 });
  const sets = await readDataSets(args.data);
  const refused = sets.filter((s) => !(s.name in SHIPPABLE_SOURCES)).map((s) => s.name);
  if (refused.length)
    throw new Error(
      `--data ${refused.join(', ')}: no licence known that allows shipping it; allowed: ${Object.keys(SHIPPABLE_SOURCES).join(', ')}`,
    );
  if ((await exists(args.out)) && (await readdir(args.out)).length > 0) {
    if (args.force !== true) throw new Error(`${args.out} is not empty; pass --force to replace the pack there`);
    await rm(args.out, { recursive: true });
  }
  const excluded = await excludedPaths(args.exclude);
  const seen = await readSeenList(modelJsonPath(args['unseen-by'] ?? DEFAULT_MODEL));
  const files: SurfaceFile[] = [];
  for (const set of sets)
    for (const f of set.files) if (!excluded.has(await realpath(f.path))) files.push({ ...f, surface: set.name });
  const seenNames = new Set(sets.flatMap((s) => seenFor(seen, s.name).map((n) => `${s.name}/${n}`)));
  const chosen = chooseRehearsalPhotos(files, { perClass, evalPerClass }, seed, (f) =>
    seenNames.has(`${f.surface}/${f.label}/${path.basename(f.path)}`),
  );
  await mkdir(args.out, { recursive: true });
  const items = await writeCrops(chosen, args.out, { size, quality });
  const index: RehearsalIndex = {
    version: REHEARSAL_INDEX_VERSION,
    size,
    items,
    sources: sets.map((s) => ({ surface: s.name, ...SHIPPABLE_SOURCES[s.name] })),
  };
  await writeFile(path.join(args.out, REHEARSAL_INDEX_FILE), JSON.stringify(index, null, 1) + '\n');
  let bytes = 0;
  for (const item of items) bytes += (await stat(path.join(args.out, item.file))).size;
  const use = (u: string) => items.filter((i) => i.use === u).length;
  process.stderr.write(
    `wrote ${args.out}: ${use('train')} train + ${use('eval')} eval photos of ${sets.map((s) => s.name).join(', ')}, ${(bytes / 1e6).toFixed(2)} MB\n`,
  );
});
