/**
 * How well the crack heatmap points at the crack, on photos with pixel masks.
 *   npm run cam-eval -- --images DIR --masks DIR [--model PATH] [--base PATH] [--json]
 * Per image: the mask (same base name, .png, non-zero = crack) is cropped and resized exactly like
 * the image (nearest) and dilated by 7 px at 227 scale. Pointing-game hit: the maximum of the
 * bilinearly upsampled Grad-CAM of `crack` lies in the mask. Energy: map mass inside the mask / total.
 * Images without a readable mask are skipped and listed; a run that scores no image (no images, a
 * missing masks folder, no matching masks) fails (exit status 1) and says why.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { camMaskScores, squeezenetCells } from '../core/cam-metrics';
import { centreCrop } from '../core/preprocess';
import { numberFlag, parseCli, runCli } from './args';
import type { CrackClassifier } from '../core/classifier';
import { loadCliClassifier } from './model-cli';
import {
  decodeImageFile,
  decodeShortSide,
  exists,
  initNodeBackend,
  listImages,
  progress,
  unreadableReason,
} from './node-io';

const USAGE = `usage: npm run cam-eval -- --images DIR --masks DIR [--model PATH] [--base PATH]
       [--class crack] [--dilate 7] [--map gradcam|fine] [--align resize|receptive-field] [--backend wasm|cpu] [--json]
  --map: gradcam (default): the MATLAB reference's Grad-CAM on the classifier's last activation (13x13);
  fine: the map the app paints for a model with a fine head, its fire3 Grad-CAM (56x56) gated by
  that Grad-CAM (see fineMap in src/core/head.ts).
  --align: how the map (13x13 on fire9, 27x27 on fire5) is upsampled to 227x227. resize (default): a
  plain bilinear resize over the whole crop; receptive-field: bilinear with each cell at its
  receptive-field centre (pixel 16k + 15 on fire9, 8k + 7 on fire5), where the network looked.`;

const ALIGNS = ['resize', 'receptive-field'] as const;
const MAPS = ['gradcam', 'fine'] as const;

/** How the heatmap is scored: which class's map, which map, dilation and alignment. */
interface CamScoring {
  camClass: string;
  mapKind: (typeof MAPS)[number];
  align: (typeof ALIGNS)[number];
  dilate: number;
}

/** Sums of the per-image scores. */
interface CamTotals {
  n: number;
  pointing: number;
  energy: number;
  area: number;
}

/** Fails unless `dir` is a folder (named by its flag). */
async function requireFolder(flag: string, dir: string): Promise<void> {
  if (!(await exists(dir))) throw new Error(`${flag} ${dir} does not exist: nothing to score the heatmap against`);
}

/** Decodes an image and its mask, both shrunk alike; undefined (and the reason listed) when either cannot be read. */
async function imageAndMask(
  file: string,
  maskFile: string,
  maxShortSide: number,
  skipped: string[],
): Promise<[tf.Tensor3D, tf.Tensor3D] | undefined> {
  if (!(await exists(maskFile))) {
    skipped.push(`${file} (no mask ${maskFile})`);
    return undefined;
  }
  let image: tf.Tensor3D;
  try {
    image = await decodeImageFile(file, { maxShortSide });
  } catch (e) {
    skipped.push(`${file} (${unreadableReason(e)})`);
    return undefined;
  }
  try {
    return [image, await decodeImageFile(maskFile, { maxShortSide, kernel: 'nearest' })];
  } catch (e) {
    image.dispose();
    skipped.push(`${maskFile} (${unreadableReason(e)})`);
    return undefined;
  }
}

/** Pointing game, energy in mask and mask area of one image's map. */
async function scoreImage(
  classifier: CrackClassifier,
  image: tf.Tensor3D,
  mask: tf.Tensor3D,
  s: CamScoring,
): Promise<number[]> {
  const scores = tf.tidy(() => {
    const r = classifier.classifyBatch(classifier.prepare(image), { camClass: s.camClass });
    const cam = s.mapKind === 'fine' ? (r.fineCam as tf.Tensor3D) : r.cam; // [1, h, w]: 13x13 Grad-CAM on fire9, 27x27 on fire5; 56x56 fine map
    const m = tf.greater(tf.max(centreCrop(mask, classifier.inputSize, 1, 'nearest'), -1), 0); // [1, 227, 227]
    return camMaskScores(
      cam,
      m as tf.Tensor3D,
      s.dilate,
      s.align === 'receptive-field' ? squeezenetCells(cam.shape[1], classifier.inputSize) : undefined,
    );
  });
  const values = Array.from(await scores.data());
  scores.dispose();
  return values;
}

/** Scores every image with a readable mask; the others are listed on stderr. */
async function scoreFolder(
  classifier: CrackClassifier,
  imagesDir: string,
  masksDir: string,
  s: CamScoring,
): Promise<{ totals: CamTotals; images: number; skipped: string[] }> {
  const images = await listImages(imagesDir);
  if (images.length === 0) throw new Error(`--images ${imagesDir} has no .jpg, .jpeg or .png images: nothing to score`);
  const totals: CamTotals = { n: 0, pointing: 0, energy: 0, area: 0 };
  const skipped: string[] = [];
  const maxShortSide = decodeShortSide(classifier.inputSize);
  for (let i = 0; i < images.length; i++) {
    const pair = await imageAndMask(
      images[i],
      path.join(masksDir, `${path.parse(images[i]).name}.png`),
      maxShortSide,
      skipped,
    );
    if (!pair) continue;
    const [pointing, energy, area] = await scoreImage(classifier, pair[0], pair[1], s);
    tf.dispose(pair);
    totals.n++;
    totals.pointing += pointing;
    totals.energy += energy;
    totals.area += area;
    progress('cam-eval', i + 1, images.length);
  }
  for (const k of skipped) process.stderr.write(`skipped: ${k}\n`);
  return { totals, images: images.length, skipped };
}

runCli(async () => {
  const args = parseCli(USAGE, {
    images: { type: 'string' },
    masks: { type: 'string' },
    model: { type: 'string' },
    base: { type: 'string' },
    class: { type: 'string' },
    dilate: { type: 'string' },
    align: { type: 'string' },
    map: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (!args.images || !args.masks) throw new Error(`--images and --masks are required\n${USAGE}`);
  const align = (args.align ?? 'resize') as CamScoring['align'];
  if (!ALIGNS.includes(align)) throw new Error(`--align '${align}' is invalid; valid: ${ALIGNS.join(', ')}`);
  const mapKind = (args.map ?? 'gradcam') as CamScoring['mapKind'];
  if (!MAPS.includes(mapKind)) throw new Error(`--map '${mapKind}' is invalid; valid: ${MAPS.join(', ')}`);
  const dilate = numberFlag('dilate', args.dilate, 7, { integer: true, min: 0 });
  await requireFolder('--images', args.images);
  await requireFolder('--masks', args.masks);
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const { classifier } = await loadCliClassifier(args.model, args.base, 'npm run cam-eval');
  const camClass = args.class ?? 'crack';
  if (mapKind === 'fine' && !classifier.metadata.base.fineLayer)
    throw new Error(`--map fine needs a model with a fine head; ${args.model ?? 'the default model'} has none`);
  if (!classifier.labels.includes(camClass))
    throw new Error(`class '${camClass}' is not in the model's labels [${classifier.labels.join(', ')}]`);
  const { totals, images, skipped } = await scoreFolder(classifier, args.images, args.masks, {
    camClass,
    mapKind,
    align,
    dilate,
  });
  classifier.dispose();
  const n = totals.n;
  if (n === 0)
    throw new Error(
      `none of the ${images} images in ${args.images} could be scored: ${skipped.length} skipped (listed above; masks are read from ${args.masks}/<name>.png)`,
    );
  const out = {
    n,
    map: mapKind,
    align,
    pointingGame: totals.pointing / n,
    energyInMask: totals.energy / n,
    maskAreaFraction: totals.area / n,
    backend,
  };
  process.stdout.write(
    args.json
      ? `${JSON.stringify(out)}\n`
      : `${n} images: pointing game ${out.pointingGame.toFixed(3)}, energy in mask ${out.energyInMask.toFixed(3)} (mask covers ${(out.maskAreaFraction * 100).toFixed(1)}% of the crop)\n`,
  );
});
