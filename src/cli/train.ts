/**
 * Trains a CrackCam head on one or several labelled folders (surfaces) with the MATLAB reference's
 * protocol, then calibrates it and fits its novelty model (see src/core/reliability-fit.ts).
 *   npm run train -- --data DIR[,DIR...] --out DIR [--base PATH] [--epochs N] [--seed S] [--json]
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { loadBaseNetwork, SQUEEZENET_BASE_NAME, SQUEEZENET_INPUT_SIZE } from '../core/base';
import { DEFAULT_AUGMENT, type AugmentConfig } from '../core/augment';
import type { Split } from '../core/split';
import { fitReliability, type ReliabilityFit } from '../core/reliability-fit';
import { trainHead } from '../core/trainer';
import { describeRange, inRange, numberFlag, parseCli, runCli, stringFlags, type NumberRange } from './args';
import {
  CLASSIFIER_TRAINING_FLAGS,
  classifierMetadata,
  deepModulesFlag,
  groupedPhotoSamples,
  modeFlag,
  noveltyFlags,
  optimizerFlags,
  photoSamples,
  printSummary,
  writeTrainedModel,
} from './classifier-training';
import { requireModelKind } from './model-cli';
import { checkOutDir } from './model-files';
import {
  balanceSurfaces,
  NOVELTY_PHOTOS_PER_GROUP,
  readDataSets,
  seenList,
  splitEach,
  spreadPerGroup,
  unionLabels,
  type SurfaceFile,
} from './data-sets';
import {
  decodeShortSide,
  defaultBasePath,
  fsReader,
  initNodeBackend,
  logTrainingProgress,
  modelJsonPath,
  progress,
} from './node-io';
import { loadHead } from '../core/classifier';
import { DEFAULT_FINE_LAYER } from '../core/head';
import { requireLabelsKept, usablePhotos, type UnreadablePhoto } from './usable-images';

const USAGE = `usage: npm run train -- --data DIR[,DIR...] --out DIR [--base PATH] [--epochs N] [--views N] [--seed S]
       [--balance F] [--skip-calibration] [--hidden H] [--feature-layer NAME] [--fine-layer NAME|none] [--split TRAIN,VAL,TEST] [--lr X] [--batch N] [--mode head|deep] [--deep-modules N] [--init PATH] [--head-lr F] [--trunk-lr F]
       [--split-seed S] [--match verdict|nearest] [--thresholds per-group|shared] [--zoom MIN,MAX]
       [--backend wasm|cpu] [--name NAME] [--force] [--json]
  --data DIR[,DIR...]: one or several labelled folders (surfaces, named after their folders), each split on
  its own with --split and --seed (--split-seed S: another seed for the split only, to compare training
  seeds on the same held-out photos); --balance F (default 0.5): each surface's training photos are repeated
  (with fresh augmentation) up to F x the largest surface's
  After training, the model is calibrated (temperature on the validation photos) and given a novelty model
  of the training photos ("unfamiliar surface"); --skip-calibration leaves both out. --match and --thresholds
  choose how the novelty model scores a photo, as in npm run calibrate (default: verdict, per-group).
  --force: replace a model already in --out (otherwise refused; the old one stays until the new one is written and checked)
  Unreadable photos are skipped and listed; the run fails only when a label is left with no readable
  training photo or no readable validation photo.
  --hidden H: channels of the head's hidden 1x1 conv + ReLU (default 64; 0 = linear head)
  --fine-layer NAME|none: early base layer of the fine head whose Grad-CAM, gated by the classifier's,
  is the fine heatmap the app paints (default fire3/concat, 56x56; none: no fine head)
  --feature-layer NAME: base layer the head reads in head mode (default fire9/relu_expand3x3,
  13x13x256; e.g. fire5/concat: 27x27x256, a finer heatmap)
  --mode deep: also fine-tune the last --deep-modules N fire modules (1: fire9, on cached fire8 features,
  346 KB per image and view; 2: fire8 and fire9, on fire7's, 260 KB, the default; 3: from fire7);
  --init PATH: start from this model's head (same hidden size and feature layer) instead of a fresh one;
  --trunk-lr F: the fire modules' learning rate as a multiple of --lr (default 1); --head-lr F: the head's (default 10)
  --zoom MIN,MAX[,SHARE]: augment with a zoom drawn log-uniformly in [MIN, MAX] (e.g. 0.5,2: the crack at half to
  twice its size) instead of the default 0.9-1.1; with SHARE (0-1), only that share of the images is zoomed so
  DIR has one sub-folder per label. Writes DIR/model.json, weights.bin and seen.json (files used
  for training/validation, so that 'npm run eval' reports on unseen images only).`;

/** The zoom factors `--zoom` accepts. */
const ZOOM_LIMITS: NumberRange = { min: 0.25, max: 4 };

/**
 * `--zoom MIN,MAX[,SHARE]` (0.25 <= MIN <= MAX <= 4, 0 <= SHARE <= 1): the augmentation with that zoom
 * range (for that share of the images); the default without it.
 */
function augmentFlag(zoom: string | undefined): AugmentConfig {
  if (zoom === undefined) return DEFAULT_AUGMENT;
  const values = zoom.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  const [min, max, share] = values;
  const shareOk = values.length === 2 || (values.length === 3 && share >= 0 && share <= 1);
  if (!shareOk || !inRange(min, ZOOM_LIMITS) || !inRange(max, ZOOM_LIMITS) || min > max)
    throw new Error(
      `--zoom must be MIN,MAX[,SHARE] with ${describeRange(ZOOM_LIMITS)}, MIN <= MAX and SHARE from 0 to 1, got '${zoom}'`,
    );
  return { ...DEFAULT_AUGMENT, zoomRange: [min, max], ...(values.length === 3 ? { zoomShare: share } : {}) };
}

/**
 * The split with its unreadable training and validation photos left out (listed on stderr); fails
 * when a label loses every photo of a side. Test photos are left to 'npm run eval', which skips its own.
 */
async function readableSplit(
  split: Split<SurfaceFile>,
): Promise<Split<SurfaceFile> & { unreadable: UnreadablePhoto[] }> {
  const checked = await usablePhotos([...split.train, ...split.validation], {
    maxShortSide: decodeShortSide(SQUEEZENET_INPUT_SIZE),
  });
  const usable = new Set(checked.usable);
  const kept = {
    train: split.train.filter((f) => usable.has(f)),
    validation: split.validation.filter((f) => usable.has(f)),
  };
  requireLabelsKept('training', split.train, kept.train, checked.unreadable);
  requireLabelsKept('validation', split.validation, kept.validation, checked.unreadable);
  return { ...kept, test: split.test, unreadable: checked.unreadable };
}

runCli(async () => {
  const args = parseCli(USAGE, {
    ...CLASSIFIER_TRAINING_FLAGS,
    ...stringFlags(
      'hidden',
      'split',
      'split-seed',
      'init',
      'feature-layer',
      'fine-layer',
      'balance',
      'match',
      'thresholds',
      'zoom',
    ),
    'skip-calibration': { type: 'boolean' },
  });
  if (!args.data || !args.out) throw new Error(`--data and --out are required\n${USAGE}`);
  // --epochs 0 with --init keeps the classifier head as it is (e.g. to add a fine head to a trained model).
  const epochs = numberFlag('epochs', args.epochs, 5, { integer: true, min: args.init === undefined ? 1 : 0 });
  const seed = numberFlag('seed', args.seed, 42, { integer: true });
  const splitSeed = numberFlag('split-seed', args['split-seed'], seed, { integer: true });
  const views = numberFlag('views', args.views, epochs, { integer: true, min: 1 });
  const { learningRate, batchSize, headLearningRateFactor, trunkLearningRateFactor } = optimizerFlags(args, 100);
  const hidden = numberFlag('hidden', args.hidden, 64, { integer: true, min: 0 });
  const noveltyScoring = noveltyFlags(args.match, args.thresholds); // checked before the training, not after it
  const mode = modeFlag(args.mode);
  const deepModules = deepModulesFlag(args['deep-modules']);
  const [train, validation, test] = (args.split ?? '0.5,0.1,0.4').split(',').map(Number);
  const balance = numberFlag('balance', args.balance, 0.5, { min: 0, max: 1 });
  const augment = augmentFlag(args.zoom);
  await checkOutDir(args.out, args.force === true);
  const initJson = args.init ? modelJsonPath(args.init) : undefined;
  if (initJson) await requireModelKind(initJson, 'classifier', 'npm run train --init');
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const started = performance.now();

  const sets = await readDataSets(args.data);
  const labels = unionLabels(sets);
  const split = await readableSplit(splitEach(sets, { train, validation, test }, splitSeed));
  const trainPhotos = balanceSurfaces(split.train, sets.length > 1 ? balance : 0, seed);
  const base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(args.base) });
  const toSamples = (side: SurfaceFile[]) => photoSamples(side, labels, base.inputSize);
  const grouped = (side: SurfaceFile[]) => groupedPhotoSamples(side, labels, base.inputSize);
  const init = initJson ? await loadHead(fsReader, initJson) : undefined;
  const initial = init?.head;
  process.stderr.write(
    `backend ${backend}; ${split.train.length} train (${trainPhotos.length} with the surfaces balanced) / ${split.validation.length} validation / ${split.test.length} test images of ${sets.map((s) => s.name).join(', ')}\n`,
  );
  const result = await trainHead({
    base,
    preprocessing: 'caffe-bgr',
    labels,
    train: toSamples(trainPhotos),
    validation: toSamples(split.validation),
    epochs,
    views,
    batchSize,
    learningRate,
    augment,
    hidden,
    featureLayer: args['feature-layer'] ?? init?.metadata.base.featureLayer,
    fineLayer: args['fine-layer'] === 'none' ? undefined : (args['fine-layer'] ?? DEFAULT_FINE_LAYER),
    mode,
    deepModules,
    headLearningRateFactor,
    trunkLearningRateFactor,
    initial,
    seed,
    onProgress: logTrainingProgress(160),
  });
  const seconds = (performance.now() - started) / 1000;
  const trained = classifierMetadata(
    {
      name: args.name ?? path.basename(path.resolve(args.out)),
      version: 1,
      labels,
      inputSize: base.inputSize,
      preprocessing: 'caffe-bgr',
      base: {
        name: SQUEEZENET_BASE_NAME,
        weightCount: base.weightCount,
        featureLayer: result.featureLayer,
        featureShape: result.featureShape,
      },
    },
    {
      tool: 'npm run train',
      data: sets.map((s) => s.name).join(','),
      result,
      setup: {
        ...(args.init ? { init: path.basename(path.dirname(modelJsonPath(args.init))) } : {}),
        hidden,
        split: { train, validation, test, seed: splitSeed },
        ...(splitSeed !== seed ? { seed } : {}),
        n: { train: split.train.length, validation: split.validation.length, test: split.test.length },
        ...(sets.length > 1 ? { surfaces: sets.map((s) => s.name), balance } : {}),
      },
      optimizer: { learningRate, batchSize, headLearningRateFactor, trunkLearningRateFactor },
      epochs,
      views,
      augment,
      backend,
      seconds,
      surfaces: { trained: sets.map((s) => s.name).sort(), rehearsed: [] },
    },
  );
  const noveltyPhotos = spreadPerGroup(split.train, NOVELTY_PHOTOS_PER_GROUP);
  const reliability: Partial<ReliabilityFit> = args['skip-calibration']
    ? {}
    : await fitReliability({
        base,
        head: result.head,
        metadata: trained,
        train: grouped(noveltyPhotos),
        validation: grouped(split.validation),
        ...noveltyScoring,
        onProgress: (d, t) => progress('calibrate', d, t),
      });
  const metadata = { ...trained, ...reliability };
  await writeTrainedModel(args.out, result.head, metadata, seenList([...split.train, ...split.validation]));
  result.head.dispose();
  initial?.dispose();
  base.dispose();
  process.stderr.write(
    `wrote ${args.out} (val accuracy ${result.validation.accuracy.toFixed(4)}, ${seconds.toFixed(0)} s; tensors left ${tf.memory().numTensors})\n`,
  );
  const unreadable = split.unreadable.map((u) => u.file);
  const { calibration: c, novelty } = reliability;
  const calibration =
    c && novelty ? { temperature: c.temperature, ece: c.ece, noveltyThreshold: novelty.threshold } : {};
  const summary = {
    valAccuracy: result.validation.accuracy,
    epochs,
    seconds,
    n: split.train.length + split.validation.length,
    backend,
    ...calibration,
    ...(unreadable.length ? { unreadable } : {}),
  };
  printSummary(summary, args.json, split.validation.length, result.misclassified);
});
