import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DEEP_MODULE_COUNTS, DEFAULT_DEEP_MODULES } from '../core/head';
import type { ModelMetadata } from '../core/metadata';
import { serializeModel } from '../core/model-writer';
import { TRAINING_MODES, type HeadTrainingResult, type TrainingMode } from '../core/trainer';
import { trainedClassifierMetadata, type ClassifierIdentity, type ClassifierTrainingRecord, type OptimizerSettings } from '../core/trainer-metadata';
import { numberFlag, stringFlags } from './args';

/** Name of the list of the files a model saw in training/validation, written next to its model.json. */
export const SEEN_FILE = 'seen.json';

/** Flags that both classifier-training CLIs (`train`, `finetune`) take, for `parseCli`. */
export const CLASSIFIER_TRAINING_FLAGS = {
  ...stringFlags('data', 'out', 'base', 'epochs', 'views', 'seed', 'lr', 'batch', 'mode', 'deep-modules', 'head-lr', 'trunk-lr', 'backend', 'name'),
  json: { type: 'boolean' },
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
  if (!TRAINING_MODES.includes(mode)) throw new Error(`--mode '${mode}' is not a mode; valid: ${TRAINING_MODES.join(', ')}`);
  return mode;
}

/** `--deep-modules N`: the last N fire modules deep mode fine-tunes (default {@link DEFAULT_DEEP_MODULES}). */
export function deepModulesFlag(value: string | undefined): number {
  const n = numberFlag('deep-modules', value, DEFAULT_DEEP_MODULES);
  if (!DEEP_MODULE_COUNTS.includes(n)) throw new Error(`--deep-modules must be one of ${DEEP_MODULE_COUNTS.join(', ')} (fire modules fine-tuned, the last ones), got '${value}'`);
  return n;
}

/** `--lr` (default 2e-4), `--batch` (default `batchSize`), `--head-lr` (default 10, the MATLAB reference's factor for new layers) and `--trunk-lr` (default 1). */
export function optimizerFlags(args: OptimizerFlagValues, batchSize: number): OptimizerSettings {
  return {
    learningRate: numberFlag('lr', args.lr, 2e-4, (n) => n > 0),
    batchSize: numberFlag('batch', args.batch, batchSize, (n) => Number.isInteger(n) && n > 0),
    headLearningRateFactor: numberFlag('head-lr', args['head-lr'], 10, (n) => n > 0),
    trunkLearningRateFactor: numberFlag('trunk-lr', args['trunk-lr'], 1, (n) => n > 0),
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

/** Writes a trained head with its metadata to `out` (model.json, weights) and {@link SEEN_FILE} listing `seen` ("label/file"). */
export async function writeTrainedModel(out: string, head: tf.LayersModel, metadata: ModelMetadata, seen: string[]): Promise<void> {
  const files = await serializeModel(head, metadata);
  await mkdir(out, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(out, name), bytes);
  await writeFile(path.join(out, SEEN_FILE), JSON.stringify({ data: metadata.training?.data, files: seen }) + '\n');
}

/** Prints a run's summary on stdout: JSON with `--json`, else its validation accuracy. */
export function printSummary(
  summary: { valAccuracy: number },
  json: boolean | undefined,
  validationImages: number,
  misclassified: HeadTrainingResult['misclassified'] = [],
): void {
  // Which validation photos the model gets wrong (on stderr, so the --json line stays the last of stdout).
  process.stderr.write(`misclassified validation images (${misclassified.length})${misclassified.map((m) => `\n  ${m.id}: ${m.truth} -> ${m.predicted}`).join('')}\n`);
  process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `validation accuracy ${(summary.valAccuracy * 100).toFixed(2)}% on ${validationImages} images\n`);
}
