/**
 * Trains a CrackCam head on a labelled folder with the seed's protocol.
 *   npm run train -- --data DIR --out DIR [--base PATH] [--epochs N] [--seed S] [--json]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadBaseNetwork, SQUEEZENET_BASE_NAME } from '../core/base';
import { DEFAULT_AUGMENT } from '../core/augment';
import { MODEL_FORMAT_VERSION, type ModelMetadata } from '../core/metadata';
import { serializeModel } from '../core/model-writer';
import { stratifiedSplit } from '../core/split';
import { trainHead, TRAINING_MODES, type TrainingMode, type TrainingSample } from '../core/trainer';
import { numberFlag, parseCli, runCli } from './args';
import { decodeImageFile, defaultBasePath, fsReader, initNodeBackend, listLabelledImages, logTrainingProgress, modelJsonPath, type LabelledFile } from './node-io';
import { loadHead } from '../core/classifier';

const USAGE = `usage: npm run train -- --data DIR --out DIR [--base PATH] [--epochs N] [--views N] [--seed S]
       [--hidden H] [--split TRAIN,VAL,TEST] [--lr X] [--batch N] [--mode head|deep] [--init PATH] [--trunk-lr F]
       [--backend wasm|cpu] [--name NAME] [--json]
  --hidden H: channels of the head's hidden 1x1 conv + ReLU (default 64; 0 = linear head)
  --mode deep: also fine-tune fire9 (on cached fire8 features: 346 KB per image and view);
  --init PATH: start from this model's head (same hidden size) instead of a fresh one;
  --trunk-lr F: fire9's learning rate as a multiple of --lr (default 1; the head trains at 10x)
  DIR has one sub-folder per label. Writes DIR/model.json, weights.bin and seen.json (files used
  for training/validation, so that 'npm run eval' reports on unseen images only).`;

/** Where the files of a split came from, relative to the data folder ("label/file"). */
export const SEEN_FILE = 'seen.json';

const relName = (f: LabelledFile) => `${f.label}/${path.basename(f.path)}`;

runCli(async () => {
  const args = parseCli(USAGE, {
    data: { type: 'string' },
    out: { type: 'string' },
    base: { type: 'string' },
    epochs: { type: 'string' },
    views: { type: 'string' },
    hidden: { type: 'string' },
    seed: { type: 'string' },
    split: { type: 'string' },
    lr: { type: 'string' },
    batch: { type: 'string' },
    mode: { type: 'string' },
    init: { type: 'string' },
    'trunk-lr': { type: 'string' },
    backend: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (!args.data || !args.out) throw new Error(`--data and --out are required\n${USAGE}`);
  const epochs = numberFlag('epochs', args.epochs, 5, (n) => Number.isInteger(n) && n > 0);
  const seed = numberFlag('seed', args.seed, 42, Number.isInteger);
  const views = numberFlag('views', args.views, epochs, (n) => Number.isInteger(n) && n > 0);
  const learningRate = numberFlag('lr', args.lr, 2e-4, (n) => n > 0);
  const batchSize = numberFlag('batch', args.batch, 100, (n) => Number.isInteger(n) && n > 0);
  const hidden = numberFlag('hidden', args.hidden, 64, (n) => Number.isInteger(n) && n >= 0);
  const mode = (args.mode ?? 'head') as TrainingMode;
  if (!TRAINING_MODES.includes(mode)) throw new Error(`--mode '${mode}' is not a mode; valid: ${TRAINING_MODES.join(', ')}`);
  const trunkLearningRateFactor = numberFlag('trunk-lr', args['trunk-lr'], 1, (n) => n > 0);
  const [train, validation, test] = (args.split ?? '0.5,0.1,0.4').split(',').map(Number);
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const started = performance.now();

  const { labels, files } = await listLabelledImages(args.data);
  const split = stratifiedSplit(files, { train, validation, test }, seed);
  const toSample = (f: LabelledFile): TrainingSample => ({ id: relName(f), label: labels.indexOf(f.label), load: () => decodeImageFile(f.path) });
  const base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(args.base) });
  const initial = args.init ? (await loadHead(fsReader, modelJsonPath(args.init))).head : undefined;
  process.stderr.write(`backend ${backend}; ${split.train.length} train / ${split.validation.length} validation / ${split.test.length} test images\n`);
  const result = await trainHead({
    base,
    preprocessing: 'caffe-bgr',
    labels,
    train: split.train.map(toSample),
    validation: split.validation.map(toSample),
    epochs,
    views,
    batchSize,
    learningRate,
    augment: DEFAULT_AUGMENT,
    hidden,
    mode,
    trunkLearningRateFactor,
    initial,
    seed,
    onProgress: logTrainingProgress(160),
  });
  const seconds = (performance.now() - started) / 1000;
  const metadata: ModelMetadata = {
    formatVersion: MODEL_FORMAT_VERSION,
    kind: 'classifier',
    name: args.name ?? path.basename(path.resolve(args.out)),
    version: 1,
    labels,
    inputSize: base.inputSize,
    preprocessing: 'caffe-bgr',
    base: { name: SQUEEZENET_BASE_NAME, weightCount: base.weightCount, featureLayer: result.featureLayer, featureShape: result.featureShape },
    createdAt: new Date().toISOString(),
    training: {
      tool: 'npm run train',
      data: path.basename(path.resolve(args.data)),
      mode: result.mode,
      ...(args.init ? { init: path.basename(path.dirname(modelJsonPath(args.init))) } : {}),
      hidden,
      split: { train, validation, test, seed },
      n: { train: split.train.length, validation: split.validation.length, test: split.test.length },
      optimizer: { name: 'adam', learningRate, headLearningRateFactor: 10, ...(result.mode === 'deep' ? { trunkLearningRateFactor } : {}), batchSize },
      epochs,
      views,
      augment: DEFAULT_AUGMENT,
      valAccuracy: result.validation.accuracy,
      history: result.history.map(({ phase: _phase, ...h }) => h),
      backend,
      seconds,
    },
  };
  const files_ = await serializeModel(result.head, metadata);
  await mkdir(args.out, { recursive: true });
  for (const [name, bytes] of Object.entries(files_)) await writeFile(path.join(args.out, name), bytes);
  const seen = [...split.train, ...split.validation].map(relName).sort();
  await writeFile(path.join(args.out, SEEN_FILE), JSON.stringify({ data: metadata.training?.data, files: seen }) + '\n');
  result.head.dispose();
  initial?.dispose();
  base.dispose();
  process.stderr.write(`wrote ${args.out} (val accuracy ${result.validation.accuracy.toFixed(4)}, ${seconds.toFixed(0)} s; tensors left ${tf.memory().numTensors})\n`);
  const summary = { valAccuracy: result.validation.accuracy, epochs, seconds, n: split.train.length + split.validation.length, backend };
  process.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : `validation accuracy ${(summary.valAccuracy * 100).toFixed(2)}% on ${split.validation.length} images\n`);
});
