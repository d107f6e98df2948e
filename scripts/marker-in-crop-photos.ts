/**
 * Photos with the printed marker in the crop: the default model's unseen photos of a data folder
 * (one sub-folder per label; those in its seen.json skipped), a seeded choice per label, each written
 * once per size with the marker pasted into a corner (marker-photo.ts; the four corners in turn), as
 * `OUT/m<percent of the side>/<label>/`.
 * `npm run eval -- --data OUT/m20 --json` then shows what the marker in the crop does to the verdict.
 *   npx tsx scripts/marker-in-crop-photos.ts --out DIR [--data DIR] [--model DIR] [--per-class N]
 *       [--sizes 0,0.1,0.2] [--seed S]
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRng, shuffled } from '../src/core/random';
import { photoWithMarker, type Corner } from './marker-photo';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    data: { type: 'string', default: '../shared/data/concrete' },
    model: { type: 'string', default: 'public/models/crackcam-default' },
    'per-class': { type: 'string', default: '300' },
    sizes: { type: 'string', default: '0,0.1,0.14,0.2,0.35' },
    seed: { type: 'string', default: '3' },
  },
});
if (!args.out) throw new Error('usage: npx tsx scripts/marker-in-crop-photos.ts --out DIR [--data DIR] ...');
const out = args.out;
const perClass = Number(args['per-class']);
const sizes = args.sizes.split(',').map(Number);
if (!(perClass > 0) || sizes.some((s) => !(s >= 0 && s < 0.5))) throw new Error('--per-class > 0, --sizes in [0, 0.5)');

const seen = new Set<string>(JSON.parse(await readFile(path.join(args.model, 'seen.json'), 'utf8')).files);
const rng = createRng(Number(args.seed));
for (const label of (await readdir(args.data)).sort()) {
  const all = (await readdir(path.join(args.data, label))).filter((f) => !seen.has(`${label}/${f}`)).sort();
  const chosen = shuffled(all, rng).slice(0, perClass);
  for (const size of sizes) {
    const dir = path.join(out, `m${Math.round(size * 100)}`, label);
    await mkdir(dir, { recursive: true });
    for (const [k, file] of chosen.entries()) {
      const png = await photoWithMarker(path.join(args.data, label, file), size, (k % 4) as Corner);
      await writeFile(path.join(dir, file.replace(/\.\w+$/, '.png')), png);
    }
  }
  console.error(`${label}: ${chosen.length} photos x ${sizes.length} sizes`);
}
