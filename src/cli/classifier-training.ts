import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DEEP_MODULE_COUNTS, DEFAULT_DEEP_MODULES } from '../core/head';
import type { ModelMetadata } from '../core/metadata';
import { serializeModel } from '../core/model-writer';
import { NOVELTY_MATCHES, NOVELTY_THRESHOLDS, type NoveltyMatch, type NoveltyThresholds } from '../core/novelty';
import type { GroupedSample } from '../core/reliability-fit';
import { TRAINING_MODES, type HeadTrainingResult, type TrainingMode, type TrainingSample } from '../core/trainer';
import {
  trainedClassifierMetadata,
  type ClassifierIdentity,
  type ClassifierTrainingRecord,
  type OptimizerSettings,
} from '../core/trainer-metadata';
import { numberFlag, stringFlags } from './args';
import { groupOf, type SeenList, type SurfaceFile } from './data-sets';
import { saveModelFolder } from './model-files';
import { decodeImageFile, decodeShortSide, type LabelledFile } from './node-io';

/** Name of the list of the files a model saw in training/validation, written next to its model.json. */
export const SEEN_FILE = 'seen.json';

/** Flags that both classifier-training CLIs (`train`, `finetune`) take, for `parseCli`. */
export const CLASSIFIER_TRAINING_FLAGS = {
  ...stringFlags(
    'data',
    'out',
    'base',
    'epochs',
    'views',
    'seed',
    'lr',
    'batch',
    'mode',
    'deep-modules',
    'head-lr',
    'trunk-lr',
    'backend',
    'name',
  ),
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** The parsed values of {@link CLASSIFIER_TRAINING_FLAGS} that {@link optimizerFlags} reads. */
export interface OptimizerFlagValues {
  lr?: string;
  batch?: string;
  'head-lr'?: string;
  'trunk-lr'?: string;
}

/** Learning rate, batch size and the head's and fire copies' learning-rate factors from the flags. */
export type { OptimizerSettings };

/** The `--mode` flag (default head), failing with the valid modes. */
export function modeFlag(value: string | undefined): TrainingMode {
  const mode = (value ?? 'head') as TrainingMode;
  if (!TRAINING_MODES.includes(mode))
    throw new Error(`--mode '${mode}' is not a mode; valid: ${TRAINING_MODES.join(', ')}`);
  return mode;
}

/** `--thresholds shared|per-group`: how the novelty thresholds are set (default shared), failing with the valid values. */
function noveltyThresholdsFlag(value: string | undefined): NoveltyThresholds {
  const thresholds = (value ?? 'shared') as NoveltyThresholds;
  if (!NOVELTY_THRESHOLDS.includes(thresholds))
    throw new Error(`--thresholds '${thresholds}' is not valid; valid: ${NOVELTY_THRESHOLDS.join(', ')}`);
  return thresholds;
}

/**
 * `--match nearest|verdict` and `--thresholds shared|per-group`: how the novelty model scores a photo.
 * Default: against the groups of its verdict, each with its own threshold (what the default model
 * ships with); `--match nearest` scores against every group, with one shared threshold by default.
 */
export function noveltyFlags(
  match: string | undefined,
  thresholds: string | undefined,
): { match: NoveltyMatch; thresholds: NoveltyThresholds } {
  const m = (match ?? 'verdict') as NoveltyMatch;
  if (!NOVELTY_MATCHES.includes(m))
    throw new Error(`--match '${m}' is not valid; valid: ${NOVELTY_MATCHES.join(', ')}`);
  const t = noveltyThresholdsFlag(thresholds ?? (m === 'verdict' ? 'per-group' : 'shared'));
  if (m === 'verdict' && t !== 'per-group')
    throw new Error(`--match verdict needs --thresholds per-group (got ${t}); --match nearest allows shared`);
  return { match: m, thresholds: t };
}

/** `--deep-modules N`: the last N fire modules deep mode fine-tunes (default {@link DEFAULT_DEEP_MODULES}). */
export function deepModulesFlag(value: string | undefined): number {
  const n = numberFlag('deep-modules', value, DEFAULT_DEEP_MODULES, { integer: true });
  if (!DEEP_MODULE_COUNTS.includes(n))
    throw new Error(
      `--deep-modules must be one of ${DEEP_MODULE_COUNTS.join(', ')} (fire modules fine-tuned, the last ones), got '${value}'`,
    );
  return n;
}

/** The range of a flag that must be above zero. */
const POSITIVE = { min: 0, minExclusive: true } as const;

/** `--lr` (default 2e-4), `--batch` (default `batchSize`), `--head-lr` (default 10, the MATLAB reference's factor for new layers) and `--trunk-lr` (default 1). */
export function optimizerFlags(args: OptimizerFlagValues, batchSize: number): OptimizerSettings {
  return {
    learningRate: numberFlag('lr', args.lr, 2e-4, POSITIVE),
    batchSize: numberFlag('batch', args.batch, batchSize, { integer: true, min: 1 }),
    headLearningRateFactor: numberFlag('head-lr', args['head-lr'], 10, POSITIVE),
    trunkLearningRateFactor: numberFlag('trunk-lr', args['trunk-lr'], 1, POSITIVE),
  };
}

/** What a classifier-training CLI records about its run: the core record, with the data folder's path (its name is recorded). */
export interface ClassifierRun extends Omit<ClassifierTrainingRecord, 'data'> {
  data: string;
}

export type { ClassifierIdentity };

/** Metadata of a classifier trained by a CLI (the shared builder in core, recording the data folder's name). */
export function classifierMetadata(model: ClassifierIdentity, run: ClassifierRun): ModelMetadata {
  return trainedClassifierMetadata(model, { ...run, data: path.basename(path.resolve(run.data)) });
}

/** The seen.json bytes: the data folder's name and the "label/file" names a model saw (or, for several data sets, each set's). */
export function seenFileBytes(data: unknown, seen: readonly string[] | SeenList): Uint8Array {
  const list = Array.isArray(seen) ? { data, files: seen } : seen;
  return new TextEncoder().encode(JSON.stringify(list) + '\n');
}

/**
 * Writes a trained head with its metadata to `out` (model.json, weights) and {@link SEEN_FILE}
 * listing `seen` ("label/file"), atomically (see src/cli/model-files.ts): on failure the folder
 * is unchanged and the error says where the model was saved instead.
 */
export async function writeTrainedModel(
  out: string,
  head: tf.LayersModel,
  metadata: ModelMetadata,
  seen: string[] | SeenList,
): Promise<void> {
  const files = await serializeModel(head, metadata);
  await saveModelFolder(out, { ...files, [SEEN_FILE]: seenFileBytes(metadata.training?.data, seen) });
}

/**
 * A training sample per photo file, labelled by its index in `labels` and decoded shrunk to what
 * a model of `inputSize` crops from it (so a large photo never sits in memory at full size).
 */
export function photoSamples(
  files: readonly LabelledFile[],
  labels: readonly string[],
  inputSize: number,
): TrainingSample[] {
  const maxShortSide = decodeShortSide(inputSize);
  return files.map((f) => ({
    id: `${f.label}/${path.basename(f.path)}`,
    label: labels.indexOf(f.label),
    load: () => decodeImageFile(f.path, { maxShortSide }),
  }));
}

/** {@link photoSamples} of photos from several surfaces, each with its novelty group (`surface/label`). */
export function groupedPhotoSamples(
  files: readonly SurfaceFile[],
  labels: readonly string[],
  inputSize: number,
): GroupedSample[] {
  return photoSamples(files, labels, inputSize).map((sample, i) => ({ ...sample, group: groupOf(files[i]) }));
}

/** Prints a run's summary on stdout: JSON with `--json`, else its validation accuracy. */
export function printSummary(
  summary: { valAccuracy: number },
  json: boolean | undefined,
  validationImages: number,
  misclassified: HeadTrainingResult['misclassified'] = [],
): void {
  // Which validation photos the model gets wrong (on stderr, so the --json line stays the last of stdout).
  process.stderr.write(
    `misclassified validation images (${misclassified.length})${misclassified.map((m) => `\n  ${m.id}: ${m.truth} -> ${m.predicted}`).join('')}\n`,
  );
  process.stdout.write(
    json
      ? `${JSON.stringify(summary)}\n`
      : `validation accuracy ${(summary.valAccuracy * 100).toFixed(2)}% on ${validationImages} images\n`,
  );
}
