/**
 * Makes a trained classifier say how sure it is and when it does not know a surface: fits its
 * temperature (calibrated probabilities) and its novelty model ("unfamiliar surface") on the photos it
 * was trained and validated on, re-made from the seeded split its metadata records and checked against
 * its seen.json. The classifier's verdicts keep their order; the weights change only by the
 * temperature folded into the output layer.
 *   npm run calibrate -- --data DIR[,DIR...] [--model DIR|model.json] [--out DIR] [--force] [--train-per-group N] [--quantile Q] [--thresholds shared|per-group] [--match nearest|verdict] [--json]
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadBaseNetwork } from '../core/base';
import { loadHead } from '../core/classifier';
import type { ModelMetadata } from '../core/metadata';
import { fitReliability } from '../core/reliability-fit';
import type { SplitFractions } from '../core/split';
import { numberFlag, parseCli, runCli, stringFlags } from './args';
import { groupedPhotoSamples, noveltyFlags, SEEN_FILE, writeTrainedModel } from './classifier-training';
import { requireModelKind } from './model-cli';
import {
  NOVELTY_PHOTOS_PER_GROUP,
  readDataSets,
  seenFor,
  seenList,
  splitEach,
  spreadPerGroup,
  type SeenList,
  type SurfaceFile,
} from './data-sets';
import { checkOutDir } from './model-files';
import { DEFAULT_MODEL, defaultBasePath, fsReader, initNodeBackend, modelJsonPath, progress } from './node-io';

const USAGE = `usage: npm run calibrate -- --data DIR[,DIR...] [--model DIR|model.json] [--out DIR] [--force] [--base PATH]
       [--train-per-group N] [--quantile Q] [--thresholds shared|per-group] [--match nearest|verdict] [--backend wasm|cpu] [--json]
  --data DIR[,DIR...]: the folder(s) the model was trained on (one sub-folder per label)
  --out DIR: where to write the calibrated model (default: over --model, which needs --force)
  --train-per-group N: training photos per surface and label the novelty model learns, spread over the split (default 1000)
  --quantile Q: share of every label's validation photos the novelty threshold keeps (default 0.99)
  --match: score a photo against the surfaces of the label the classifier gives it (verdict, the default),
           or against every surface and label (nearest)
  --thresholds: one novelty threshold per surface and label (per-group; the default, and what verdict needs),
           or one for all (shared; the default with --match nearest)`;

/** The split a model records in its training metadata. */
function recordedSplit(metadata: ModelMetadata, modelJson: string): SplitFractions & { seed: number } {
  const split = metadata.training?.split as (SplitFractions & { seed: number }) | undefined;
  if (!split || typeof split.seed !== 'number') {
    throw new Error(
      `${modelJson} records no training split (metadata training.split): calibrate needs the seeded split the model was trained with`,
    );
  }
  return split;
}

/** The files of the model's training and validation sides, checked against its seen.json, set by set. */
async function trainedSplit(
  dataFlag: string,
  modelJson: string,
  metadata: ModelMetadata,
): Promise<{ train: SurfaceFile[]; validation: SurfaceFile[]; seen: SeenList }> {
  const sets = await readDataSets(dataFlag);
  const fractions = recordedSplit(metadata, modelJson);
  const split = splitEach(sets, fractions, fractions.seed);
  const seenFile = path.join(path.dirname(modelJson), SEEN_FILE);
  const seen = JSON.parse(await readFile(seenFile, 'utf8')) as SeenList;
  const remade = seenList([...split.train, ...split.validation]);
  for (const set of sets) {
    const mine = seenFor(remade, set.name);
    const recorded = [...seenFor(seen, set.name)].sort();
    if (mine.length !== recorded.length || mine.some((f, i) => f !== recorded[i])) {
      throw new Error(
        `the split re-made from ${set.dir} (${mine.length} photos) is not the one ${seenFile} lists (${recorded.length}): is --data the folder the model was trained on?`,
      );
    }
  }
  return { train: split.train, validation: split.validation, seen };
}

runCli(async () => {
  const args = parseCli(USAGE, {
    ...stringFlags('data', 'model', 'out', 'base', 'backend', 'train-per-group', 'quantile', 'thresholds', 'match'),
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (!args.data) throw new Error(`--data is required\n${USAGE}`);
  const perGroup = numberFlag('train-per-group', args['train-per-group'], NOVELTY_PHOTOS_PER_GROUP, {
    integer: true,
    min: 2,
  });
  const quantile = numberFlag('quantile', args.quantile, 0.99, {
    min: 0,
    minExclusive: true,
    max: 1,
    maxExclusive: true,
  });
  const { match, thresholds } = noveltyFlags(args.match, args.thresholds);
  const modelJson = args.model ? modelJsonPath(args.model) : DEFAULT_MODEL;
  const out = args.out ?? path.dirname(modelJson);
  await checkOutDir(out, args.force === true);
  await requireModelKind(modelJson, 'classifier', 'npm run calibrate');
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const started = performance.now();
  const { head, metadata } = await loadHead(fsReader, modelJson);
  const { train, validation, seen } = await trainedSplit(args.data, modelJson, metadata);
  const grouped = (files: SurfaceFile[]) => groupedPhotoSamples(files, metadata.labels, metadata.inputSize);
  const trainSubset = spreadPerGroup(train, perGroup);
  const dataName = [...new Set(train.map((f) => f.surface))].join(',');
  process.stderr.write(
    `backend ${backend}; ${trainSubset.length} training / ${validation.length} validation photos of ${dataName}\n`,
  );
  const base = await loadBaseNetwork({
    reader: fsReader,
    modelJson: defaultBasePath(args.base),
    inputSize: metadata.inputSize,
  });
  const fit = await fitReliability({
    base,
    head,
    metadata,
    train: grouped(trainSubset),
    validation: grouped(validation),
    quantile,
    thresholds,
    match,
    onProgress: (d, t) => progress('calibrate', d, t),
  });
  const seconds = (performance.now() - started) / 1000;
  const training = {
    ...metadata.training,
    reliability: {
      tool: 'npm run calibrate',
      data: dataName,
      trainPhotos: trainSubset.length,
      validationPhotos: validation.length,
      backend,
      seconds,
    },
  };
  await writeTrainedModel(out, head, { ...metadata, ...fit, training }, seen);
  head.dispose();
  base.dispose();
  const summary = {
    temperature: fit.calibration.temperature,
    ece: fit.calibration.ece,
    noveltyThreshold: fit.novelty.threshold,
    validationRejection: fit.novelty.validationRejection,
    seconds,
    backend,
  };
  process.stderr.write(`wrote ${out} (tensors left ${tf.memory().numTensors})\n`);
  process.stdout.write(
    args.json
      ? `${JSON.stringify(summary)}\n`
      : `temperature ${summary.temperature.toFixed(3)}; validation ECE ${summary.ece.before.toFixed(4)} -> ${summary.ece.after.toFixed(4)}; novelty threshold ${summary.noveltyThreshold.toFixed(1)}\n`,
  );
});
