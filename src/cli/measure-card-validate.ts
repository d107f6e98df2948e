/**
 * Card validation study: renders a bank card (light or dark, plain or printed, any angle, camera
 * tilted 0-20 degrees, blurred, noised, saved as JPEG) beside a crack of known width on real concrete
 * textures, without the marker, finds the card and measures the crack as `npm run measure` does, and
 * prints the card's scale error and detection rate; then the same scenes without the card (and on
 * wall textures), where any card found is a false detection.
 *   npm run measure:card -- [--seeds 1,2,3] [--n 8] [--textures DIR] [--walls DIR] [--photos DIR,...] [--out DIR] [--find-only] [--json]
 * Real photos without a card (--photos: masonry, asphalt, walls, brick by default) are searched too.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { findCard } from '../core/measure/card';
import { cardCase } from '../core/measure/card-case';
import { measureCrack } from '../core/measure/measure-crack';
import { toGrey } from '../core/measure/pixels';
import { renderScene } from '../core/measure/synthetic-scene';
import { STUDY_WIDTHS_MM } from '../core/measure/validation-case';
import { createRng } from '../core/random';
import { numberFlag, parseCli, runCli, stringFlags } from './args';
import { listImages, sharedDataPath } from './node-io';

const USAGE = `usage: npm run measure:card -- [--seeds 1,2,3] [--n 8] [--textures DIR] [--walls DIR] [--photos DIR,...] [--out DIR] [--find-only] [--json]
  --seeds: comma-separated integer seeds (default 1)
  --n: card scenes per seed (default 8; as many scenes without a card follow, half on wall textures)
  --textures: crack-free concrete photos (default ../shared/data/concrete/nocrack)
  --walls: crack-free wall photos for scenes without a card (default ../shared/data/surfaces/walls/nocrack)
  --photos: comma-separated folders of real photos without a card, searched as they are (default
            ../shared/data masks/images, surfaces/walls/nocrack and brick/nocrack; 'none' to skip)
  --out: where the rendered JPEGs go (default: a new temporary folder)
  --find-only: find the card only, do not measure the cracks (faster)`;

/** Grey texture of an image file. */
async function readGrey(file: string) {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: Float32Array.from(data) };
}

interface CardRow {
  seed: number;
  index: number;
  withCard: boolean;
  texture: string;
  tiltDeg: number;
  card?: { angleDeg: number; grey: number; face: string };
  truthMmPerPx: number | null;
  found: boolean;
  foundMmPerPx: number | null;
  scaleError: number | null;
  ratioError: number | null;
  findMs: number;
  widthMm: number;
  measuredWidthMm: number | null;
  scale: string | null;
  uncertainMm: number | null;
}

/** Renders, saves and reads back one scene; finds the card and measures the crack. */
async function runCase(
  seed: number,
  index: number,
  withCard: boolean,
  textureFile: string,
  out: string,
  findOnly: boolean,
) {
  const rng = createRng(seed * 1000 + index);
  const texture = await readGrey(textureFile);
  const widthMm = STUDY_WIDTHS_MM[(index + 2) % STUDY_WIDTHS_MM.length];
  const c = cardCase(rng, index, texture, widthMm, withCard);
  const grey = renderScene(c.spec);
  const file = path.join(out, `${withCard ? 'card' : 'none'}-seed${seed}-case${index}.jpg`);
  await sharp(Uint8Array.from(grey.data), { raw: { width: grey.width, height: grey.height, channels: 1 } })
    .jpeg({ quality: 92 })
    .toFile(file);
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const pixels = { width: info.width, height: info.height, data, channels: info.channels as 1 | 3 | 4 };
  const t0 = performance.now();
  const card = findCard(toGrey(pixels));
  const findMs = performance.now() - t0;
  const m = findOnly ? undefined : await measureCrack(pixels);
  const truth = c.truth.cardMmPerPx;
  const row: CardRow = {
    seed,
    index,
    withCard,
    texture: path.basename(textureFile),
    tiltDeg: c.spec.camera.tiltDeg,
    ...(c.card && { card: { angleDeg: c.card.angleDeg, grey: c.card.grey, face: c.card.face } }),
    truthMmPerPx: truth,
    found: card !== undefined,
    foundMmPerPx: card?.mmPerPx ?? null,
    scaleError: card && truth ? card.mmPerPx / truth - 1 : null,
    ratioError: card?.ratioError ?? null,
    findMs,
    widthMm: c.truth.maxWidthMm,
    measuredWidthMm: m?.widthMm ?? null,
    scale: m?.scale ?? null,
    uncertainMm: m?.uncertainMm ?? null,
  };
  return row;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r4 = (v: number | null) => (v === null ? null : Number(v.toFixed(4)));

/** The study's summary: detection, scale error, false detections, widths measured on the card's scale. */
function summariseCardStudy(rows: CardRow[]) {
  const cards = rows.filter((r) => r.withCard);
  const none = rows.filter((r) => !r.withCard);
  const errors = cards.filter((r) => r.scaleError !== null).map((r) => Math.abs(r.scaleError as number));
  const onCard = cards.filter((r) => r.scale === 'card' && r.measuredWidthMm !== null);
  const widthErrors = onCard.map((r) => Math.abs((r.measuredWidthMm as number) - r.widthMm));
  const within = onCard.filter((r) => Math.abs((r.measuredWidthMm as number) - r.widthMm) <= (r.uncertainMm as number));
  const by = (pred: (r: CardRow) => boolean) => {
    const sel = cards.filter(pred);
    return `${sel.filter((r) => r.found).length}/${sel.length}`;
  };
  return {
    cardScenes: cards.length,
    detected: cards.filter((r) => r.found).length,
    detectionRate: r4(cards.length ? cards.filter((r) => r.found).length / cards.length : null),
    detectedBy: {
      lightPlain: by((r) => (r.card?.grey ?? 0) > 128 && r.card?.face === 'plain'),
      lightPrinted: by((r) => (r.card?.grey ?? 0) > 128 && r.card?.face === 'printed'),
      dark: by((r) => (r.card?.grey ?? 255) < 128),
    },
    scaleErrorMedian: r4(median(errors)),
    scaleErrorMax: r4(errors.length ? Math.max(...errors) : null),
    widthOnCardScale: {
      measured: onCard.length,
      medianAbsErrorMm: r4(median(widthErrors)),
      withinUncertainty: onCard.length ? r4(within.length / onCard.length) : null,
    },
    scenesWithoutCard: none.length,
    falseDetections: none.filter((r) => r.found).length,
    falseCardScale: none.filter((r) => r.scale === 'card').length,
    findMsMedian: r4(median(rows.map((r) => r.findMs))),
  };
}

/** The --photos folders. */
function photoFolders(value: string | undefined): string[] {
  if (value === 'none') return [];
  if (value) return value.split(',');
  return ['masks/images', 'surfaces/walls/nocrack', 'brick/nocrack'].map((d) => path.join(sharedDataPath(), d));
}

/** Real photos without a card: how many, and in how many a card was found (false detections). */
async function searchPhotos(folders: string[]) {
  let photos = 0;
  const found: string[] = [];
  for (const folder of folders) {
    for (const file of await listImages(folder)) {
      photos++;
      if (findCard(await readGrey(file))) found.push(path.basename(file));
    }
  }
  return { photos, falseDetections: found.length, found };
}

async function main(): Promise<void> {
  const args = parseCli(USAGE, {
    ...stringFlags('seeds', 'n', 'textures', 'walls', 'photos', 'out'),
    json: { type: 'boolean' },
    'find-only': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  const seeds = (args.seeds ?? '1').split(',').map((s) => numberFlag('seeds', s, 1, { integer: true, min: 0 }));
  const n = numberFlag('n', args.n, 8, { integer: true, min: 1 });
  const concrete = await listImages(args.textures ?? path.join(sharedDataPath(), 'concrete/nocrack'));
  const walls = await listImages(args.walls ?? path.join(sharedDataPath(), 'surfaces/walls/nocrack'));
  if (concrete.length === 0) throw new Error('no texture images found (--textures DIR of JPEG/PNG photos)');
  if (args.out) await mkdir(args.out, { recursive: true });
  const out = args.out ?? (await mkdtemp(path.join(os.tmpdir(), 'crackcam-card-')));
  const rows: CardRow[] = [];
  for (const seed of seeds) {
    const pick = createRng(seed);
    const from = (list: string[]) => list[Math.floor(pick() * list.length)];
    for (let i = 0; i < n; i++) {
      rows.push(await runCase(seed, i, true, from(concrete), out, !!args['find-only']));
      if (!args.json) process.stderr.write(`seed ${seed} card ${i + 1}/${n}\n`);
    }
    for (let i = 0; i < n; i++) {
      const textures = i % 2 === 1 && walls.length > 0 ? walls : concrete;
      rows.push(await runCase(seed, i, false, from(textures), out, !!args['find-only']));
      if (!args.json) process.stderr.write(`seed ${seed} no card ${i + 1}/${n}\n`);
    }
  }
  const photos = await searchPhotos(photoFolders(args.photos));
  const summary = { images: out, ...summariseCardStudy(rows), realPhotosWithoutCard: photos };
  await writeFile(path.join(out, 'rows.json'), JSON.stringify(rows, null, 1));
  process.stdout.write(`${args.json ? JSON.stringify(summary) : JSON.stringify(summary, null, 2)}\n`);
}

runCli(main);
