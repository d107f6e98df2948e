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
import { readdir, writeFile } from 'node:fs/promises';
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
import type { ModelMetadata } from '../core/metadata';
import { anomalyReport } from '../core/metrics';
import { createRng, shuffled } from '../core/random';
import { takePerClass } from '../core/split';
import { numberFlag, parseCli, runCli } from './args';
import { requireModelKind, seenFiles } from './model-cli';
import { checkOutDir, saveModelFolder } from './model-files';
import {
  decodeImageFile,
  decodeShortSide,
  defaultBasePath,
  fsReader,
  initNodeBackend,
  listImages,
  listLabelledImages,
  modelJsonPath,
  progress,
  type LabelledFile,
} from './node-io';
import { heatmapVsMasks, scoreFiles } from './oneclass-scoring';
import { requireUsablePerLabel, usablePhotos } from './usable-images';

/** Augmentations of the training views beyond the photo and its mirror image (--views > 2). */
const AUGMENTS: Record<string, AugmentConfig> = {
  shift: ONECLASS_DEFAULTS.augment,
  matlab: MATLAB_REFERENCE_AUGMENT,
  default: DEFAULT_AUGMENT,
};

const USAGE = `usage: npm run oneclass -- --train DIR --eval DIR [--out DIR] [--json]
       [--train-label LABEL] [--n N] [--seed S] [--fpr RATE] [--top-k K] [--method ${ONECLASS_METHODS.join('|')}]
       [--layers L1,L2] [--views N] [--augment A] [--folds N] [--eval-n N] [--model DIR] [--scores FILE] [--cam-images DIR --cam-masks DIR] [--base PATH] [--backend wasm|cpu]
       [--name NAME] [--force]
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
  --force       replace a model already in --out (otherwise refused; the old one stays until the new one is written and checked)
  --model DIR   evaluate a saved one-class model instead of training one
  --cam-images DIR --cam-masks DIR
                also score the anomaly heatmap against crack masks (same name, .png) as 'npm run cam-eval'
                does for Grad-CAM: pointing game and energy inside the mask dilated by 7 px
  --scores FILE write every eval image's score as CSV (file,label,score,anomalous)
  --json        last line: {"auroc", "accuracyAtThreshold", "n", ...}
  Unreadable photos are skipped and listed; training fails only when fewer than 3 readable normal
  photos remain.`;

const relName = (f: LabelledFile) => `${f.label}/${path.basename(f.path)}`;

const FLAGS = {
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
  force: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Readable normal photos a one-class model needs (trainOneClass's minimum). */
const MIN_NORMAL_PHOTOS = 3;

/** The parsed flags. */
type OneClassArgs = ReturnType<typeof parseCli<typeof FLAGS>>;

/** Training and evaluation settings from the flags, checked. */
interface Settings {
  seed: number;
  nTrain: number;
  evalN: number;
  falseAlarmRate: number;
  topK: number;
  views: number;
  folds: number;
  method: OneClassMethod;
  augmentName: string;
  augment: AugmentConfig;
  featureLayers: string[];
}

/** A model to evaluate, and what it was trained on. */
interface Prepared {
  model: OneClassModel;
  base?: BaseNetwork;
  /** "label/file" names of the training images (a saved model's seen.json). */
  trainRel: Set<string>;
  /** Absolute paths of the training images (when trained in this run). */
  trainAbs: Set<string>;
  normalLabel: string;
  trainSummary: Record<string, unknown>;
  /** Training photos skipped as unreadable. */
  trainUnreadable: string[];
}

/** Checks the combination of flags and reads the settings, failing with the valid values. */
function readSettings(args: OneClassArgs): Settings {
  if (!args.eval || (!args.train && !args.model))
    throw new Error(`--eval and one of --train or --model are required\n${USAGE}`);
  if (!args['cam-images'] !== !args['cam-masks']) throw new Error('--cam-images and --cam-masks go together');
  if (args.train && args.model)
    throw new Error('give either --train (train a model) or --model (evaluate a saved one), not both');
  const positiveInt = { integer: true, min: 1 };
  const method = (args.method ?? ONECLASS_DEFAULTS.method) as OneClassMethod;
  if (!ONECLASS_METHODS.includes(method))
    throw new Error(`--method '${method}' is not a method; valid: ${ONECLASS_METHODS.join(', ')}`);
  const augmentName = args.augment ?? 'shift';
  const augment = AUGMENTS[augmentName];
  if (!augment)
    throw new Error(`--augment '${augmentName}' is not a preset; valid: ${Object.keys(AUGMENTS).join(', ')}`);
  return {
    seed: numberFlag('seed', args.seed, 42, { integer: true }),
    nTrain: numberFlag(
      args.n === undefined && args['per-class'] !== undefined ? 'per-class' : 'n',
      args.n ?? args['per-class'],
      Infinity,
      positiveInt,
    ),
    evalN: numberFlag('eval-n', args['eval-n'], Infinity, positiveInt),
    falseAlarmRate: numberFlag('fpr', args.fpr, ONECLASS_DEFAULTS.falseAlarmRate, {
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
    }),
    topK: numberFlag('top-k', args['top-k'], ONECLASS_DEFAULTS.topK, positiveInt),
    views: numberFlag('views', args.views, ONECLASS_DEFAULTS.views, positiveInt),
    folds: numberFlag('folds', args.folds, ONECLASS_DEFAULTS.folds, { integer: true, min: 2 }),
    method,
    augmentName,
    augment,
    featureLayers: args.layers
      ? args.layers
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [...DEFAULT_ONECLASS_LAYERS],
  };
}

/** Normal training images of --train: a plain folder, or one label of a labelled folder. */
async function trainingFiles(
  dir: string,
  label: string | undefined,
): Promise<{ files: LabelledFile[]; label: string | undefined }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: Error) => {
    throw new Error(`cannot read --train folder ${dir}: ${e.message}`);
  });
  const subdirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  if (label === undefined && subdirs.length === 0) {
    const images = await listImages(dir);
    return { files: images.map((p) => ({ path: p, label: path.basename(path.resolve(dir)) })), label: undefined };
  }
  const want = label ?? (subdirs.includes('nocrack') ? 'nocrack' : undefined);
  if (want === undefined || !subdirs.includes(want)) {
    throw new Error(
      `--train ${dir} has label folders [${subdirs.join(', ')}] but no '${want ?? 'nocrack'}'; pick the normal one with --train-label (valid: ${subdirs.join(', ')})`,
    );
  }
  const { files } = await listLabelledImages(dir);
  return { files: files.filter((f) => f.label === want), label: want };
}

/**
 * The seeded choice of --n normal images, without the unreadable ones (listed on stderr); fails
 * when fewer than {@link MIN_NORMAL_PHOTOS} readable ones remain.
 */
async function chooseTrainingImages(
  files: readonly LabelledFile[],
  s: Settings,
  inputSize: number,
): Promise<{ chosen: LabelledFile[]; unreadable: string[] }> {
  const picked = Number.isFinite(s.nTrain) ? shuffled(files, createRng(s.seed)).slice(0, s.nTrain) : [...files];
  if (picked.length < s.nTrain && Number.isFinite(s.nTrain))
    process.stderr.write(`--n ${s.nTrain}: only ${picked.length} training images available\n`);
  const checked = await usablePhotos(picked, { maxShortSide: decodeShortSide(inputSize) });
  const labels = [...new Set(files.map((f) => f.label))];
  requireUsablePerLabel(
    checked.usable,
    labels.length ? labels : ['normal'],
    { count: MIN_NORMAL_PHOTOS, why: 'the Gaussian fit and its held-out folds need them' },
    checked.unreadable,
  );
  return { chosen: checked.usable, unreadable: checked.unreadable.map((u) => u.file) };
}

/** Trains a one-class model on --train; with --out writes it and evaluates the reloaded file. */
async function trainModel(args: OneClassArgs, s: Settings, backend: string): Promise<Prepared> {
  const trainDir = args.train as string;
  const found = await trainingFiles(trainDir, args['train-label']);
  const base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(args.base) });
  const { chosen, unreadable } = await chooseTrainingImages(found.files, s, base.inputSize);
  const maxShortSide = decodeShortSide(base.inputSize);
  process.stderr.write(
    `backend ${backend}; training on ${chosen.length} normal images of ${trainDir}${found.label ? `/${found.label}` : ''}\n`,
  );
  const result = await trainOneClass({
    base,
    preprocessing: 'caffe-bgr',
    train: chosen.map((f) => ({ id: relName(f), load: () => decodeImageFile(f.path, { maxShortSide }) })),
    method: s.method,
    featureLayers: s.featureLayers,
    topK: s.topK,
    falseAlarmRate: s.falseAlarmRate,
    views: s.views,
    augment: s.augment,
    folds: s.folds,
    seed: s.seed,
    onProgress: (p) => {
      if (p.phase === 'features') progress('features', p.done, p.total);
      else process.stderr.write(`fit ${p.fold}/${p.folds}\n`);
    },
  });
  const trainSummary = {
    n: chosen.length,
    data: path.basename(path.resolve(trainDir)),
    label: found.label ?? null,
    seed: s.seed,
    views: s.views,
    augment: s.views > 2 ? s.augmentName : null,
    folds: s.folds,
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
  const trainRel = new Set(chosen.map(relName));
  const prepared = {
    base,
    trainRel,
    trainAbs: new Set(chosen.map((f) => path.resolve(f.path))),
    normalLabel: found.label ?? args['train-label'] ?? 'nocrack',
    trainSummary,
    trainUnreadable: unreadable,
  };
  if (!args.out) return { ...prepared, model: createOneClassModel({ base, scorer: result.scorer, metadata }) };
  return { ...prepared, model: await writeAndReload(args.out, result.scorer, metadata, base, trainRel) };
}

/** Writes the trained model with its seen.json to `out` (atomically, see model-files.ts) and loads it back; frees `scorer`. */
async function writeAndReload(
  out: string,
  scorer: tf.LayersModel,
  metadata: ModelMetadata,
  base: BaseNetwork,
  trainRel: Set<string>,
): Promise<OneClassModel> {
  const files = await serializeOneClassModel(scorer, metadata);
  scorer.dispose();
  const seen = new TextEncoder().encode(
    JSON.stringify({ data: metadata.training?.data, files: [...trainRel].sort() }) + '\n',
  );
  await saveModelFolder(out, { ...files, 'seen.json': seen });
  const bytes = Object.values(files).reduce((a, b) => a + b.byteLength, 0);
  process.stderr.write(`wrote ${out} (${(bytes / 1e6).toFixed(2)} MB); evaluating the reloaded file\n`);
  return loadOneClassModel({ reader: fsReader, modelJson: modelJsonPath(out), base });
}

/** Loads a saved one-class model (--model) and the training images its seen.json lists. */
async function loadSavedModel(args: OneClassArgs): Promise<Prepared> {
  const modelJson = modelJsonPath(args.model as string);
  await requireModelKind(modelJson, 'oneclass', 'npm run oneclass --model');
  const model = await loadOneClassModel({ reader: fsReader, modelJson, base: defaultBasePath(args.base) });
  const label = model.metadata.training?.label;
  const normalLabel = args['train-label'] ?? (typeof label === 'string' ? label : 'nocrack');
  return {
    model,
    trainRel: await seenFiles(modelJson, args.eval as string),
    trainAbs: new Set(),
    normalLabel,
    trainSummary: {},
    trainUnreadable: [],
  };
}

/** The --eval images: every label (the normal one negative), training images excluded, --eval-n per label. */
async function evaluationFiles(
  args: OneClassArgs,
  p: Prepared,
  s: Settings,
): Promise<{ files: LabelledFile[]; excluded: number }> {
  const evalDir = args.eval as string;
  const { labels, files: allEval } = await listLabelledImages(evalDir);
  if (!labels.includes(p.normalLabel))
    throw new Error(
      `--eval ${evalDir} has labels [${labels.join(', ')}] but not the normal label '${p.normalLabel}' (set it with --train-label)`,
    );
  if (labels.length < 2) throw new Error(`--eval ${evalDir} needs a label besides '${p.normalLabel}' (e.g. crack)`);
  // Training mode knows the exact files; a saved model lists them in seen.json (for a folder of the same name).
  const isTraining = (f: LabelledFile) =>
    args.model ? p.trainRel.has(relName(f)) : p.trainAbs.has(path.resolve(f.path));
  const candidates = allEval.filter((f) => !isTraining(f));
  const excluded = allEval.length - candidates.length;
  if (excluded > 0) process.stderr.write(`excluded ${excluded} training images from --eval\n`);
  return { files: Number.isFinite(s.evalN) ? takePerClass(candidates, s.evalN, s.seed + 1) : candidates, excluded };
}

/** Writes every scored image's score as CSV (file,label,score,anomalous). */
async function writeScores(
  file: string,
  kept: readonly LabelledFile[],
  scores: readonly number[],
  threshold: number,
): Promise<void> {
  const rows = kept.map(
    (f, i) => `${JSON.stringify(path.resolve(f.path))},${f.label},${scores[i]},${scores[i] > threshold}`,
  );
  await writeFile(file, `file,label,score,anomalous\n${rows.join('\n')}\n`);
}

/** Scores --eval and, with --cam-images, the heatmap; the summary that --json prints. */
async function evaluate(args: OneClassArgs, p: Prepared, s: Settings, backend: string, started: number) {
  const { files, excluded } = await evaluationFiles(args, p, s);
  const { model, normalLabel } = p;
  const { scores, kept, unreadable } = await scoreFiles(model, files);
  const positive = kept.map((f) => f.label !== normalLabel);
  const threshold = model.threshold;
  if (args.scores) await writeScores(args.scores, kept, scores, threshold);
  const report = anomalyReport(
    scores.filter((_, i) => !positive[i]),
    scores.filter((_, i) => positive[i]),
    threshold,
  );
  if (report.auroc === undefined)
    throw new Error(`--eval ${args.eval}: AUROC needs readable images of both '${normalLabel}' and another label`);
  return {
    auroc: report.auroc,
    accuracyAtThreshold: report.accuracy,
    n: kept.length,
    nCrack: report.nAbnormal,
    nNormal: report.nNormal,
    excluded,
    threshold,
    falseAlarmRate: model.info.falseAlarmRate,
    evalFalseAlarmRate: report.falseAlarmRate,
    evalDetectionRate: report.detectionRate,
    method: model.info.method,
    featureLayers: model.info.featureLayers,
    topK: model.info.topK,
    train: args.train
      ? { ...p.trainSummary, ...(p.trainUnreadable.length ? { unreadable: p.trainUnreadable } : {}) }
      : { model: args.model },
    heatmap: args['cam-images']
      ? await heatmapVsMasks(model, args['cam-images'], args['cam-masks'] as string)
      : undefined,
    unreadable,
    seconds: (performance.now() - started) / 1000,
    backend,
  };
}

/** The evaluation summary as text. */
function summaryText(evalDir: string, out: Awaited<ReturnType<typeof evaluate>>): string {
  const heatmap = out.heatmap
    ? [
        `heatmap on ${out.heatmap.n} masked crack photos: pointing game ${out.heatmap.pointingGame.toFixed(3)}, energy in mask ${out.heatmap.energyInMask.toFixed(3)} ` +
          `(mask covers ${(out.heatmap.maskAreaFraction * 100).toFixed(1)}%); ${(out.heatmap.detectionRate * 100).toFixed(1)}% flagged abnormal`,
      ]
    : [];
  return (
    [
      `${path.basename(path.resolve(evalDir))}: AUROC ${out.auroc.toFixed(4)} on ${out.n} images (${out.nCrack} abnormal, ${out.nNormal} normal; ${out.excluded} training images excluded)`,
      `threshold ${out.threshold.toFixed(1)} (false-alarm rate ${out.falseAlarmRate} on normal captures): accuracy ${(out.accuracyAtThreshold * 100).toFixed(2)}%, ` +
        `detection ${(out.evalDetectionRate * 100).toFixed(1)}%, false alarms ${(out.evalFalseAlarmRate * 100).toFixed(1)}%`,
      ...heatmap,
      `method ${out.method} on ${out.featureLayers.join(' + ')}, top-${out.topK}; backend ${out.backend}, ${out.seconds.toFixed(0)} s`,
    ].join('\n') + '\n'
  );
}

runCli(async () => {
  const args = parseCli(USAGE, FLAGS);
  const settings = readSettings(args);
  if (args.train && args.out) await checkOutDir(args.out, args.force === true);
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const started = performance.now();
  const prepared = args.train ? await trainModel(args, settings, backend) : await loadSavedModel(args);
  const out = await evaluate(args, prepared, settings, backend, started);
  prepared.model.dispose();
  prepared.base?.dispose();
  process.stderr.write(`tensors left ${tf.memory().numTensors}\n`);
  process.stdout.write(args.json ? `${JSON.stringify(out)}\n` : summaryText(args.eval as string, out));
});
