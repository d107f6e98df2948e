/**
 * Scoring for `npm run oneclass`: anomaly scores of labelled photos, and the anomaly heatmap
 * against crack masks. Unreadable photos are skipped and listed, as eval does.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { camMaskScores } from '../core/cam-metrics';
import type { OneClassModel } from '../core/oneclass';
import { centreCrop } from '../core/preprocess';
import {
  decodeImageFile,
  decodeShortSide,
  exists,
  listImages,
  progress,
  unreadableReason,
  type LabelledFile,
} from './node-io';

/** Scores of the readable files, in file order, and the unreadable files. */
export interface FileScores {
  scores: number[];
  kept: LabelledFile[];
  unreadable: string[];
}

/** Decodes and prepares each readable file of a batch; unreadable ones are listed and skipped. */
async function prepareBatch(
  model: OneClassModel,
  files: readonly LabelledFile[],
  out: FileScores,
): Promise<tf.Tensor4D[]> {
  const inputs: tf.Tensor4D[] = []; // each [1, s, s, 3]
  const maxShortSide = decodeShortSide(model.inputSize);
  for (const f of files) {
    try {
      const img = await decodeImageFile(f.path, { maxShortSide });
      inputs.push(model.prepare(img));
      img.dispose();
      out.kept.push(f);
    } catch (e) {
      out.unreadable.push(f.path);
      process.stderr.write(`unreadable, skipped: ${f.path} (${unreadableReason(e)})\n`);
    }
  }
  return inputs;
}

/** Scores files in batches; returns scores in file order and the unreadable files. */
export async function scoreFiles(model: OneClassModel, files: readonly LabelledFile[], batch = 8): Promise<FileScores> {
  const out: FileScores = { scores: [], kept: [], unreadable: [] };
  for (let start = 0; start < files.length; start += batch) {
    const inputs = await prepareBatch(model, files.slice(start, start + batch), out);
    if (inputs.length > 0) {
      const score = tf.tidy(() => {
        const r = model.scoreBatch(tf.concat(inputs) as tf.Tensor4D);
        r.heatmap.dispose();
        return r.score; // [n]
      });
      out.scores.push(...(await score.data()));
      score.dispose();
      tf.dispose(inputs);
    }
    progress('eval', Math.min(start + batch, files.length), files.length);
  }
  return out;
}

/** Heatmap scores on masked crack photos, averaged. */
export interface HeatmapScores {
  n: number;
  pointingGame: number;
  energyInMask: number;
  maskAreaFraction: number;
  detectionRate: number;
}

/** A photo and its mask, decoded alike; undefined (reported on stderr) when either is missing or unreadable. */
async function photoAndMask(
  file: string,
  maskFile: string,
  maxShortSide: number,
): Promise<[tf.Tensor3D, tf.Tensor3D] | undefined> {
  if (!(await exists(maskFile))) {
    process.stderr.write(`skipped: ${file} (no mask ${maskFile})\n`);
    return undefined;
  }
  const at = [file, maskFile];
  const decoded: tf.Tensor3D[] = [];
  try {
    decoded.push(await decodeImageFile(file, { maxShortSide }));
    decoded.push(await decodeImageFile(maskFile, { maxShortSide, kernel: 'nearest' }));
    return [decoded[0], decoded[1]];
  } catch (e) {
    process.stderr.write(`skipped: ${at[decoded.length]} (${unreadableReason(e)})\n`);
    tf.dispose(decoded);
    return undefined;
  }
}

/** Pointing game, energy in mask, mask area and anomaly score of one photo. */
async function scorePhoto(
  model: OneClassModel,
  image: tf.Tensor3D,
  mask: tf.Tensor3D,
  dilate: number,
): Promise<number[]> {
  const scores = tf.tidy(() => {
    const r = model.scoreBatch(model.prepare(image)); // heatmap [1, 13, 13]
    const m = tf.greater(tf.max(centreCrop(mask, model.inputSize, 1, 'nearest'), -1), 0); // [1, 227, 227]
    return tf.concat([camMaskScores(r.heatmap, m as tf.Tensor3D, dilate), r.score]); // [4]
  });
  const values = Array.from(await scores.data());
  scores.dispose();
  return values;
}

/**
 * Pointing game and energy of the anomaly heatmap on crack photos with pixel masks (as cam-eval
 * for Grad-CAM). Fails when no photo could be scored.
 */
export async function heatmapVsMasks(
  model: OneClassModel,
  imagesDir: string,
  masksDir: string,
  dilate = 7,
): Promise<HeatmapScores> {
  if (!(await exists(masksDir)))
    throw new Error(`--cam-masks ${masksDir} does not exist: nothing to score the heatmap against`);
  const totals = { n: 0, pointing: 0, energy: 0, area: 0, flagged: 0 };
  const images = await listImages(imagesDir);
  const maxShortSide = decodeShortSide(model.inputSize);
  for (let i = 0; i < images.length; i++) {
    const pair = await photoAndMask(images[i], path.join(masksDir, `${path.parse(images[i]).name}.png`), maxShortSide);
    if (!pair) continue;
    const [pointing, energy, area, score] = await scorePhoto(model, pair[0], pair[1], dilate);
    tf.dispose(pair);
    totals.n++;
    totals.pointing += pointing;
    totals.energy += energy;
    totals.area += area;
    if (score > model.threshold) totals.flagged++;
    progress('heatmap', i + 1, images.length);
  }
  if (totals.n === 0)
    throw new Error(
      `--cam-images ${imagesDir}: none of its ${images.length} images could be scored (no readable photo with a readable mask in ${masksDir})`,
    );
  const n = totals.n;
  return {
    n,
    pointingGame: totals.pointing / n,
    energyInMask: totals.energy / n,
    maskAreaFraction: totals.area / n,
    detectionRate: totals.flagged / n,
  };
}
