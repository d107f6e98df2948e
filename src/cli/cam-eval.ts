/**
 * How well the crack heatmap points at the crack, on photos with pixel masks.
 *   npm run cam-eval -- --images DIR --masks DIR [--model PATH] [--base PATH] [--json]
 * Per image: the mask (same base name, .png, non-zero = crack) is cropped and resized exactly like
 * the image (nearest) and dilated by 7 px at 227 scale. Pointing-game hit: the maximum of the
 * bilinearly upsampled Grad-CAM of `crack` lies in the mask. Energy: map mass inside the mask / total.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { camMaskScores, squeezenetCells } from '../core/cam-metrics';
import { centreCrop } from '../core/preprocess';
import { numberFlag, parseCli, runCli } from './args';
import { loadCliClassifier } from './model-cli';
import { decodeImageFile, exists, initNodeBackend, listImages, progress } from './node-io';

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
  const align = args.align ?? 'resize';
  if (!(ALIGNS as readonly string[]).includes(align)) throw new Error(`--align '${align}' is invalid; valid: ${ALIGNS.join(', ')}`);
  const mapKind = args.map ?? 'gradcam';
  if (!(MAPS as readonly string[]).includes(mapKind)) throw new Error(`--map '${mapKind}' is invalid; valid: ${MAPS.join(', ')}`);
  const dilate = numberFlag('dilate', args.dilate, 7, (n) => Number.isInteger(n) && n >= 0);
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const { classifier } = await loadCliClassifier(args.model, args.base);
  const camClass = args.class ?? 'crack';
  if (mapKind === 'fine' && !classifier.metadata.base.fineLayer) throw new Error(`--map fine needs a model with a fine head; ${args.model ?? 'the default model'} has none`);
  if (!classifier.labels.includes(camClass)) throw new Error(`class '${camClass}' is not in the model's labels [${classifier.labels.join(', ')}]`);
  const images = await listImages(args.images);
  const size = classifier.inputSize;
  const totals = { n: 0, pointing: 0, energy: 0, area: 0 };
  const skipped: string[] = [];
  for (let i = 0; i < images.length; i++) {
    const file = images[i];
    const maskFile = path.join(args.masks, `${path.parse(file).name}.png`);
    if (!(await exists(maskFile))) {
      skipped.push(`${file} (no mask ${maskFile})`);
      continue;
    }
    let image: tf.Tensor3D;
    let mask: tf.Tensor3D;
    try {
      image = await decodeImageFile(file);
    } catch (e) {
      skipped.push(`${file} (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    try {
      mask = await decodeImageFile(maskFile);
    } catch (e) {
      image.dispose();
      skipped.push(`${maskFile} (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    const scores = tf.tidy(() => {
      const r = classifier.classifyBatch(classifier.prepare(image), { camClass });
      const cam = mapKind === 'fine' ? (r.fineCam as tf.Tensor3D) : r.cam; // [1, h, w]: 13x13 Grad-CAM on fire9, 27x27 on fire5; 56x56 fine map
      const m = tf.greater(tf.max(centreCrop(mask, size, 1, 'nearest'), -1), 0); // [1, 227, 227]
      return camMaskScores(cam, m as tf.Tensor3D, dilate, align === 'receptive-field' ? squeezenetCells(cam.shape[1], size) : undefined);
    });
    image.dispose();
    mask.dispose();
    const [pointing, energy, area] = await scores.data();
    scores.dispose();
    totals.n++;
    totals.pointing += pointing;
    totals.energy += energy;
    totals.area += area;
    progress('cam-eval', i + 1, images.length);
  }
  classifier.dispose();
  for (const s of skipped) process.stderr.write(`skipped: ${s}\n`);
  const n = totals.n;
  const out = { n, map: mapKind, align, pointingGame: n ? totals.pointing / n : 0, energyInMask: n ? totals.energy / n : 0, maskAreaFraction: n ? totals.area / n : 0, backend };
  process.stdout.write(
    args.json
      ? `${JSON.stringify(out)}\n`
      : `${n} images: pointing game ${out.pointingGame.toFixed(3)}, energy in mask ${out.energyInMask.toFixed(3)} (mask covers ${(out.maskAreaFraction * 100).toFixed(1)}% of the crop)\n`,
  );
});
