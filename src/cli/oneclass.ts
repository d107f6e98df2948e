/**
 * Normal-only mode: learns a site from photos of sound surface alone and measures how well the
 * anomaly score separates cracks from sound surface on a labelled folder.
 *   npm run oneclass -- --train DIR --eval DIR [--out DIR] [--json]
 * --train is a folder of normal images, or a labelled folder whose `--train-label` (default
 * `nocrack`) sub-folder is used; `--n N --seed S` picks N of them. Images used for training are
 * excluded from --eval. With --out the model is written, reloaded from disk, and the reloaded model
 * is evaluated (so the figure is that of the saved file).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_AUGMENT, MATLAB_REFERENCE_AUGMENT, type AugmentConfig } from '../core/augment';
import type { BaseNetwork } from '../core/base';
import { loadBaseNetwork } from '../core/base';
import {
  createOneClassModel,
  DEFAULT_ONECLASS_LAYERS,
  loadOneClassModel,
  ONECLASS_DEFAULTS,
  ONECLASS_METHODS,
  oneClassMetadata,
  serializeOneClassModel,
  trainOneClass,
  type OneClassMethod,
  type OneClassModel,
} from '../core/oneclass';
import { camMaskScores } from '../core/cam-metrics';
import { anomalyReport } from '../core/metrics';
import { centreCrop } from '../core/preprocess';
import { createRng, shuffled } from '../core/random';
import { takePerClass } from '../core/split';
import { numberFlag, parseCli, runCli } from './args';
import { seenFiles } from './model-cli';
import { decodeImageFile, defaultBasePath, exists, fsReader, initNodeBackend, listImages, listLabelledImages, modelJsonPath, progress, type LabelledFile } from './node-io';

/** Augmentations of the training views beyond the photo and its mirror image (--views > 2). */
const AUGMENTS: Record<string, AugmentConfig> = { shift: ONECLASS_DEFAULTS.augment, matlab: MATLAB_REFERENCE_AUGMENT, default: DEFAULT_AUGMENT };

const USAGE = `usage: npm run oneclass -- --train DIR --eval DIR [--out DIR] [--json]
       [--train-label LABEL] [--n N] [--seed S] [--fpr RATE] [--top-k K] [--method ${ONECLASS_METHODS.join('|')}]
       [--layers L1,L2] [--views N] [--augment A] [--folds N] [--eval-n N] [--model DIR] [--scores FILE] [--cam-images DIR --cam-masks DIR] [--base PATH] [--backend wasm|cpu]
       [--name NAME]
  --train DIR   normal (sound-surface) images: a folder of images, or a labelled folder whose
                --train-label sub-folder is used (default: 'nocrack' if DIR has one)
  --n N         seeded choice of N training images (--per-class N is the same); default all
  --eval DIR    labelled folder; images of the normal label (--train-label, default 'nocrack') are
                negatives, every other label (e.g. 'crack') positive. Training images are excluded.
  --eval-n N    at most N images per eval label (seeded choice), for quick runs
  --views N     1 = photos as taken, 2 = + mirror images (default), more = + random --augment draws
  --augment A   ${Object.keys(AUGMENTS).join('|')}: mirror + 16 px shifts (default) | the MATLAB reference's mirror + 30 px |
                + 10% zoom, brightness and contrast jitter
  --fpr RATE    false-alarm rate on normal captures that sets the threshold (default ${ONECLASS_DEFAULTS.falseAlarmRate})
  --out DIR     write model.json, weights.bin and seen.json; the reloaded file is what gets evaluated
  --model DIR   evaluate a saved one-class model instead of training one
  --cam-images DIR --cam-masks DIR
                also score the anomaly heatmap against crack masks (same name, .png) as 'npm run cam-eval'
                does for Grad-CAM: pointing game and energy inside the mask dilated by 7 px
  --scores FILE write every eval image's score as CSV (file,label,score,anomalous)
  --json        last line: {"auroc", "accuracyAtThreshold", "n", ...}`;

const relName = (f: LabelledFile) => `${f.label}/${path.basename(f.path)}`;

/** Normal training images of --train: a plain folder, or one label of a labelled folder. */
async function trainingFiles(dir: string, label: string | undefined): Promise<{ files: LabelledFile[]; label: string | undefined }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: Error) => {
    throw new Error(`cannot read --train folder ${dir}: ${e.message}`);
  });
  const subdirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (label === undefined && subdirs.length === 0) {
    const images = await listImages(dir);
    return { files: images.map((p) => ({ path: p, label: path.basename(path.resolve(dir)) })), label: undefined };
  }
  const want = label ?? (subdirs.includes('nocrack') ? 'nocrack' : undefined);
  if (want === undefined || !subdirs.includes(want)) {
    throw new Error(`--train ${dir} has label folders [${subdirs.join(', ')}] but no '${want ?? 'nocrack'}'; pick the normal one with --train-label (valid: ${subdirs.join(', ')})`);
  }
  const { files } = await listLabelledImages(dir);
  return { files: files.filter((f) => f.label === want), label: want };
}

/** Scores files in batches; returns scores in file order and the unreadable files. */
async function scoreFiles(model: OneClassModel, files: readonly LabelledFile[], batch = 8): Promise<{ scores: number[]; kept: LabelledFile[]; unreadable: string[] }> {
  const scores: number[] = [];
  const kept: LabelledFile[] = [];
  const unreadable: string[] = [];
  for (let start = 0; start < files.length; start += batch) {
    const chunk = files.slice(start, start + batch);
    const inputs: tf.Tensor4D[] = [];
    for (const f of chunk) {
      try {
        const img = await decodeImageFile(f.path);
        inputs.push(model.prepare(img));
        img.dispose();
        kept.push(f);
      } catch (e) {
        unreadable.push(f.path);
        process.stderr.write(`unreadable, skipped: ${f.path} (${(e as Error).message.split('\n')[0]})\n`);
      }
    }
    if (inputs.length > 0) {
      const score = tf.tidy(() => {
        const r = model.scoreBatch(tf.concat(inputs) as tf.Tensor4D);
        r.heatmap.dispose();
        return r.score;
      });
      scores.push(...(await score.data()));
      score.dispose();
      tf.dispose(inputs);
    }
    progress('eval', Math.min(start + batch, files.length), files.length);
  }
  return { scores, kept, unreadable };
}

/** Pointing game and energy of the anomaly heatmap on crack photos with pixel masks (as cam-eval for Grad-CAM). */
async function heatmapVsMasks(model: OneClassModel, imagesDir: string, masksDir: string, dilate = 7) {
  const totals = { n: 0, pointing: 0, energy: 0, area: 0, flagged: 0 };
  const images = await listImages(imagesDir);
  for (let i = 0; i < images.length; i++) {
    const maskFile = path.join(masksDir, `${path.parse(images[i]).name}.png`);
    if (!(await exists(maskFile))) {
      process.stderr.write(`skipped: ${images[i]} (no mask ${maskFile})\n`);
      continue;
    }
    const image = await decodeImageFile(images[i]);
    const mask = await decodeImageFile(maskFile).catch((e: Error) => {
      image.dispose();
      throw e;
    });
    const scores = tf.tidy(() => {
      const r = model.scoreBatch(model.prepare(image)); // heatmap [1, 13, 13]
      const m = tf.greater(tf.max(centreCrop(mask, model.inputSize, 1, 'nearest'), -1), 0); // [1, 227, 227]
      return tf.concat([camMaskScores(r.heatmap, m as tf.Tensor3D, dilate), r.score]);
    });
    tf.dispose([image, mask]);
    const [pointing, energy, area, score] = await scores.data();
    scores.dispose();
    totals.n++;
    totals.pointing += pointing;
    totals.energy += energy;
    totals.area += area;
    if (score > model.threshold) totals.flagged++;
    progress('heatmap', i + 1, images.length);
  }
  const n = Math.max(totals.n, 1);
  return { n: totals.n, pointingGame: totals.pointing / n, energyInMask: totals.energy / n, maskAreaFraction: totals.area / n, detectionRate: totals.flagged / n };
}

runCli(async () => {
  const args = parseCli(USAGE, {
    train: { type: 'string' },
    eval: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    'train-label': { type: 'string' },
    n: { type: 'string' },
    'per-class': { type: 'string' },
    seed: { type: 'string' },
    fpr: { type: 'string' },
    'top-k': { type: 'string' },
    method: { type: 'string' },
    layers: { type: 'string' },
    views: { type: 'string' },
    augment: { type: 'string' },
    folds: { type: 'string' },
    'eval-n': { type: 'string' },
    scores: { type: 'string' },
    'cam-images': { type: 'string' },
    'cam-masks': { type: 'string' },
    base: { type: 'string' },
    backend: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (!args.eval || (!args.train && !args.model)) throw new Error(`--eval and one of --train or --model are required\n${USAGE}`);
  if (!args['cam-images'] !== !args['cam-masks']) throw new Error('--cam-images and --cam-masks go together');
  if (args.train && args.model) throw new Error('give either --train (train a model) or --model (evaluate a saved one), not both');
  const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
  const seed = numberFlag('seed', args.seed, 42, Number.isInteger);
  const nTrain = numberFlag('n', args.n ?? args['per-class'], Infinity, positiveInt);
  const evalN = numberFlag('eval-n', args['eval-n'], Infinity, positiveInt);
  const falseAlarmRate = numberFlag('fpr', args.fpr, ONECLASS_DEFAULTS.falseAlarmRate, (n) => n > 0 && n < 1);
  const topK = numberFlag('top-k', args['top-k'], ONECLASS_DEFAULTS.topK, positiveInt);
  const views = numberFlag('views', args.views, ONECLASS_DEFAULTS.views, positiveInt);
  const folds = numberFlag('folds', args.folds, ONECLASS_DEFAULTS.folds, (n) => Number.isInteger(n) && n >= 2);
  const method = (args.method ?? ONECLASS_DEFAULTS.method) as OneClassMethod;
  if (!ONECLASS_METHODS.includes(method)) throw new Error(`--method '${method}' is not a method; valid: ${ONECLASS_METHODS.join(', ')}`);
  const augmentName = args.augment ?? 'shift';
  const augment = AUGMENTS[augmentName];
  if (!augment) throw new Error(`--augment '${augmentName}' is not a preset; valid: ${Object.keys(AUGMENTS).join(', ')}`);
  const featureLayers = args.layers ? args.layers.split(',').map((s) => s.trim()).filter(Boolean) : [...DEFAULT_ONECLASS_LAYERS];
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const started = performance.now();

  let model: OneClassModel;
  let base: BaseNetwork | undefined;
  let trainRel: Set<string> = new Set();
  let trainAbs: Set<string> = new Set();
  let normalLabel = args['train-label'] ?? 'nocrack';
  let trainSummary: Record<string, unknown> = {};
  if (args.train) {
    const found = await trainingFiles(args.train, args['train-label']);
    if (found.label) normalLabel = found.label;
    const chosen = Number.isFinite(nTrain) ? shuffled(found.files, createRng(seed)).slice(0, nTrain) : found.files;
    if (chosen.length < nTrain && Number.isFinite(nTrain)) process.stderr.write(`--n ${nTrain}: only ${chosen.length} training images available\n`);
    trainAbs = new Set(chosen.map((f) => path.resolve(f.path)));
    trainRel = new Set(chosen.map(relName));
    base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(args.base) });
    process.stderr.write(`backend ${backend}; training on ${chosen.length} normal images of ${args.train}${found.label ? `/${found.label}` : ''}\n`);
    const result = await trainOneClass({
      base,
      preprocessing: 'caffe-bgr',
      train: chosen.map((f) => ({ id: relName(f), load: () => decodeImageFile(f.path) })),
      method,
      featureLayers,
      topK,
      falseAlarmRate,
      views,
      augment,
      folds,
      seed,
      onProgress: (p) => {
        if (p.phase === 'features') progress('features', p.done, p.total);
        else process.stderr.write(`fit ${p.fold}/${p.folds}\n`);
      },
    });
    trainSummary = {
      n: chosen.length,
      data: path.basename(path.resolve(args.train)),
      label: found.label ?? null,
      seed,
      views,
      augment: views > 2 ? augmentName : null,
      folds,
      heldOutScores: { min: Math.min(...result.heldOutScores), max: Math.max(...result.heldOutScores) },
      featureSeconds: result.featureSeconds,
      fitSeconds: result.fitSeconds,
      backend,
    };
    const metadata = oneClassMetadata(result, base, {
      name: args.name ?? (args.out ? path.basename(path.resolve(args.out)) : 'oneclass'),
      preprocessing: 'caffe-bgr',
      training: { tool: 'npm run oneclass', ...trainSummary },
    });
    if (args.out) {
      const files = await serializeOneClassModel(result.scorer, metadata);
      result.scorer.dispose();
      await mkdir(args.out, { recursive: true });
      for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(args.out, name), bytes);
      await writeFile(path.join(args.out, 'seen.json'), JSON.stringify({ data: trainSummary.data, files: [...trainRel].sort() }) + '\n');
      const bytes = Object.values(files).reduce((a, b) => a + b.byteLength, 0);
      process.stderr.write(`wrote ${args.out} (${(bytes / 1e6).toFixed(2)} MB); evaluating the reloaded file\n`);
      model = await loadOneClassModel({ reader: fsReader, modelJson: modelJsonPath(args.out), base });
    } else {
      model = createOneClassModel({ base, scorer: result.scorer, metadata });
    }
  } else {
    const modelJson = modelJsonPath(args.model as string);
    model = await loadOneClassModel({ reader: fsReader, modelJson, base: defaultBasePath(args.base) });
    trainRel = await seenFiles(modelJson, args.eval);
    const label = model.metadata.training?.label;
    if (args['train-label'] === undefined && typeof label === 'string') normalLabel = label;
  }

  // Evaluation set: every label of --eval; the normal label is negative. Training images excluded.
  const { labels, files: allEval } = await listLabelledImages(args.eval);
  if (!labels.includes(normalLabel)) throw new Error(`--eval ${args.eval} has labels [${labels.join(', ')}] but not the normal label '${normalLabel}' (set it with --train-label)`);
  if (labels.length < 2) throw new Error(`--eval ${args.eval} needs a label besides '${normalLabel}' (e.g. crack)`);
  // Training mode knows the exact files; a saved model lists them in seen.json (for a folder of the same name).
  const isTraining = (f: LabelledFile) => (args.model ? trainRel.has(relName(f)) : trainAbs.has(path.resolve(f.path)));
  const candidates = allEval.filter((f) => !isTraining(f));
  const excluded = allEval.length - candidates.length;
  if (excluded > 0) process.stderr.write(`excluded ${excluded} training images from --eval\n`);
  const evalFiles = Number.isFinite(evalN) ? takePerClass(candidates, evalN, seed + 1) : candidates;
  const { scores, kept, unreadable } = await scoreFiles(model, evalFiles);
  const positive = kept.map((f) => f.label !== normalLabel);
  const threshold = model.threshold;
  const flagged = scores.map((s) => s > threshold);
  if (args.scores) {
    const rows = kept.map((f, i) => `${JSON.stringify(path.resolve(f.path))},${f.label},${scores[i]},${flagged[i]}`);
    await writeFile(args.scores, `file,label,score,anomalous\n${rows.join('\n')}\n`);
  }
  const report = anomalyReport(
    scores.filter((_, i) => !positive[i]),
    scores.filter((_, i) => positive[i]),
    threshold,
  );
  if (report.auroc === undefined) throw new Error(`--eval ${args.eval}: AUROC needs readable images of both '${normalLabel}' and another label`);
  const { nAbnormal: nPos, nNormal: nNeg, detectionRate: tpr, falseAlarmRate: fpr } = report;
  const out = {
    auroc: report.auroc,
    accuracyAtThreshold: report.accuracy,
    n: kept.length,
    nCrack: nPos,
    nNormal: nNeg,
    excluded,
    threshold,
    falseAlarmRate: model.info.falseAlarmRate,
    evalFalseAlarmRate: fpr,
    evalDetectionRate: tpr,
    method: model.info.method,
    featureLayers: model.info.featureLayers,
    topK: model.info.topK,
    train: args.train ? trainSummary : { model: args.model },
    heatmap: args['cam-images'] ? await heatmapVsMasks(model, args['cam-images'], args['cam-masks'] as string) : undefined,
    unreadable,
    seconds: (performance.now() - started) / 1000,
    backend,
  };
  model.dispose();
  base?.dispose();
  const evalName = path.basename(path.resolve(args.eval));
  process.stderr.write(`tensors left ${tf.memory().numTensors}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  process.stdout.write(
    [
      `${evalName}: AUROC ${out.auroc.toFixed(4)} on ${out.n} images (${nPos} abnormal, ${nNeg} normal; ${excluded} training images excluded)`,
      `threshold ${threshold.toFixed(1)} (false-alarm rate ${out.falseAlarmRate} on normal captures): accuracy ${(out.accuracyAtThreshold * 100).toFixed(2)}%, ` +
        `detection ${(tpr * 100).toFixed(1)}%, false alarms ${(fpr * 100).toFixed(1)}%`,
      ...(out.heatmap
        ? [
            `heatmap on ${out.heatmap.n} masked crack photos: pointing game ${out.heatmap.pointingGame.toFixed(3)}, energy in mask ${out.heatmap.energyInMask.toFixed(3)} ` +
              `(mask covers ${(out.heatmap.maskAreaFraction * 100).toFixed(1)}%); ${(out.heatmap.detectionRate * 100).toFixed(1)}% flagged abnormal`,
          ]
        : []),
      `method ${out.method} on ${out.featureLayers.join(' + ')}, top-${out.topK}; backend ${backend}, ${out.seconds.toFixed(0)} s`,
    ].join('\n') + '\n',
  );
});
