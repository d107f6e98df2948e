/**
 * Width validation study: renders cracks of known width (0.1-3 mm) on real concrete textures at
 * known scale with the reference marker in view (tilted 0-20 degrees, blurred and noised like a
 * phone camera, saved as JPEG), measures them as `npm run measure` does, and prints the errors.
 *   npm run measure:validate -- [--seeds 1,2,3] [--n 24] [--widths nominal|uniform|nominal,uniform] [--calibrate] [--retake] [--no-blur-correction] [--uncertain-px P] [--textures DIR] [--out DIR] [--json]
 * With --calibrate it also fits the width uncertainty model to these cases (calibrate on some seeds,
 * check the coverage on others). Images go to --out (a new temporary folder by default); they are test data, never committed.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { gaussianBlur, laplacianVariance } from '../core/measure/filters';
import { measureCrack } from '../core/measure/measure-crack';
import { RETAKE_DISTANCE } from '../core/measure/guidance';
import type { MeasureOptions } from '../core/measure/measure-options';
import {
  renderCase,
  retakeCase,
  studyWidthMm,
  validationCase,
  WIDTH_SAMPLINGS,
  type ValidationCase,
  type WidthSampling,
} from '../core/measure/validation-case';
import { calibrateUncertainty } from '../core/measure/uncertainty-calibration';
import { calibrationCases, median, summariseStudy, type StudyRow } from '../core/measure/validation-summary';
import { createRng } from '../core/random';
import { numberFlag, parseCli, runCli, stringFlags } from './args';
import { listImages, sharedDataPath } from './node-io';

const USAGE = `usage: npm run measure:validate -- [--seeds 1,2,3] [--n 24] [--widths nominal|uniform|nominal,uniform] [--calibrate] [--retake] [--no-blur-correction] [--uncertain-px P] [--textures DIR] [--out DIR] [--json]
  --seeds: comma-separated integer seeds, one study per seed (default 1)
  --n: cases per seed (default 24: each nominal width three times)
  --widths: nominal (default: 0.1, 0.2, 0.3, 0.5, 1.0, 1.3, 2.0, 3.0 mm in turn, some on class boundaries)
            or uniform (log-uniform over 0.1-3 mm, seeded; the same scenes otherwise), or both: nominal,uniform
  --calibrate: also fit the width uncertainty model (floorPx, relative, blur, k) to cover 95 % of
            these cases (the model for readings corrected for the blur, or with --no-blur-correction
            for readings as read); check its coverage on other seeds, not these
  --retake: measure again from half the distance each case whose guidance asks for it (the width
            near a class boundary), as an inspector following the advice would; the summary adds
            classAgreementAfterRetake
  --no-blur-correction: take the widths as read, not corrected for the blur measured at the marker
  --uncertain-px: a fixed +- width uncertainty in px instead of the model (to compare)
  --textures: crack-free surface photos (default ../shared/data/concrete/nocrack)
  --out: where the rendered JPEGs go (default: a new temporary folder)`;

/** Seeds of the width draws are apart from the scenes' (seed * 1000 + index). */
const WIDTH_SEED_OFFSET = 1_000_000;

/** The --widths flag (one sampling or a comma-separated list), checked. */
function widthSamplings(value: string | undefined): WidthSampling[] {
  return (value ?? 'nominal').split(',').map((v) => {
    if (!(WIDTH_SAMPLINGS as readonly string[]).includes(v)) {
      throw new Error(`--widths must be one of ${WIDTH_SAMPLINGS.join(', ')}; got '${v}'`);
    }
    return v as WidthSampling;
  });
}

/** Grey texture of an image file. */
async function readGrey(file: string) {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: Float32Array.from(data) };
}

/** How the study runs: textures to draw from, where the JPEGs go, and the flags that change the cases. */
interface StudySettings {
  textures: string[];
  out: string;
  uncertainPx?: number;
  retake: boolean;
  blurCorrection: boolean;
}

/** Measures one case from its saved JPEG (and its retake, where asked for); the row of the study. */
async function runCase(seed: number, index: number, widths: WidthSampling, study: StudySettings): Promise<StudyRow> {
  const { textures, out, uncertainPx, retake, blurCorrection } = study;
  const rng = createRng(seed * 1000 + index);
  const texture = await readGrey(textures[Math.floor(rng() * textures.length)]);
  const widthMm = studyWidthMm(widths, index, createRng(WIDTH_SEED_OFFSET + seed * 1000 + index));
  const c = validationCase(rng, index, texture, widthMm);
  const name = path.join(out, `${widths}-seed${seed}-case${index}`);
  const options = { blurCorrection, ...(uncertainPx !== undefined && { uncertainPx }) };
  const { grey, measured, measureMs } = await photograph(c, `${name}.jpg`, options);
  const blurredSharpness = laplacianVariance(gaussianBlur(grey, 2.8));
  const row = { seed, index, truth: c.truth, measured, measureMs, blurredSharpness, tiltDeg: c.spec.camera.tiltDeg };
  if (!retake || !measured.guidance.includes('closer-to-classify')) return row;
  const closer = await photograph(retakeCase(c, RETAKE_DISTANCE), `${name}-retake.jpg`, options);
  return { ...row, retake: closer.measured };
}

/** Renders the case, saves it as a phone-like JPEG, reads it back and measures it. */
async function photograph(c: ValidationCase, file: string, options: Partial<MeasureOptions>) {
  const grey = renderCase(c);
  const bytes = Uint8Array.from(grey.data);
  await sharp(bytes, { raw: { width: grey.width, height: grey.height, channels: 1 } })
    .jpeg({ quality: 92 })
    .toFile(file);
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const pixels = { width: info.width, height: info.height, data, channels: info.channels as 1 | 3 | 4 };
  const started = performance.now();
  const measured = await measureCrack(pixels, options);
  return { grey, measured, measureMs: performance.now() - started };
}

async function main(): Promise<void> {
  const args = parseCli(USAGE, {
    ...stringFlags('seeds', 'n', 'widths', 'uncertain-px', 'textures', 'out'),
    json: { type: 'boolean' },
    calibrate: { type: 'boolean' },
    retake: { type: 'boolean' },
    'no-blur-correction': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  const seeds = (args.seeds ?? '1').split(',').map((s) => numberFlag('seeds', s, 1, { integer: true, min: 0 }));
  const n = numberFlag('n', args.n, 24, { integer: true, min: 1 });
  const uncertainPx =
    args['uncertain-px'] === undefined ? undefined : numberFlag('uncertain-px', args['uncertain-px'], 1, { min: 0 });
  const samplings = widthSamplings(args.widths);
  const textures = await listImages(args.textures ?? path.join(sharedDataPath(), 'concrete/nocrack'));
  if (textures.length === 0) throw new Error('no texture images found (--textures DIR of JPEG/PNG photos)');
  if (args.out) await mkdir(args.out, { recursive: true });
  const out = args.out ?? (await mkdtemp(path.join(os.tmpdir(), 'crackcam-measure-')));
  const blurCorrection = args['no-blur-correction'] !== true;
  const study = { textures, out, uncertainPx, retake: args.retake === true, blurCorrection };
  const rows: StudyRow[] = [];
  for (const widths of samplings) {
    for (const seed of seeds) {
      for (let i = 0; i < n; i++) {
        rows.push(await runCase(seed, i, widths, study));
        if (!args.json) process.stderr.write(`${widths} seed ${seed} case ${i + 1}/${n}\n`);
      }
    }
  }
  const fitted = blurCorrection ? 'deblurred' : 'asRead';
  // each model is fitted on the cases it applies to (a marker whose blur could not be read leaves its case as read)
  const applies = rows.filter((r) => (r.measured.blurSigmaPx !== null) === blurCorrection);
  const calibration = args.calibrate
    ? { calibration: { fitted, ...calibrateUncertainty(calibrationCases(applies)) } }
    : {};
  // the time to measure one still (marker and card search, segmentation, widths), median over the study
  const measureMsMedian = Math.round(median(rows.map((r) => r.measureMs ?? NaN).filter(Number.isFinite)));
  const summary = {
    images: out,
    widths: samplings.join(','),
    ...summariseStudy(rows),
    measureMsMedian,
    ...calibration,
  };
  await writeFile(path.join(out, 'rows.json'), JSON.stringify(rows, null, 1));
  process.stdout.write(`${args.json ? JSON.stringify(summary) : JSON.stringify(summary, null, 2)}\n`);
}

runCli(main);
