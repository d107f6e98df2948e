import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadBaseNetwork, SQUEEZENET_BASE_NAME, type BaseNetwork } from '../src/core/base';
import { loadCrackClassifier, type CrackClassifier } from '../src/core/classifier';
import { createHead } from '../src/core/head';
import { MODEL_FORMAT_VERSION, validateMetadata, type ModelMetadata } from '../src/core/metadata';
import type { Rng } from '../src/core/random';
import { serializeModel, type ModelFiles } from '../src/core/model-writer';
import {
  DEFAULT_MODEL,
  decodeImageFile,
  defaultBasePath,
  fsReader,
  initNodeBackend,
  listImages,
  sharedDataPath,
} from '../src/cli/node-io';

/** Path of the shared base model.json ($CRACKCAM_BASE or ../shared). */
export const BASE_JSON = defaultBasePath();
/** Shared data folder ($CRACKCAM_DATA or ../shared/data). */
export const DATA_DIR = sharedDataPath();
/** True when ../shared (base model and data) is present; real-data tests skip and say so otherwise. */
export const HAVE_SHARED = existsSync(BASE_JSON) && existsSync(DATA_DIR);
if (!HAVE_SHARED) {
  process.stderr.write(
    `NOTE: ../shared not found (base ${BASE_JSON}, data ${DATA_DIR}): real-data tests are skipped\n`,
  );
}

/** Initialises the WASM backend (idempotent). */
export async function useWasm(): Promise<void> {
  await initNodeBackend('wasm');
}

let basePromise: Promise<BaseNetwork> | undefined;
/** The real SqueezeNet base, loaded once per test file and shared. */
export function sharedBase(): Promise<BaseNetwork> {
  basePromise ??= loadBaseNetwork({ reader: fsReader, modelJson: BASE_JSON });
  return basePromise;
}

/** The shipped default model's metadata, validated. */
export async function defaultModelMetadata(): Promise<ModelMetadata> {
  const json = JSON.parse(await readFile(DEFAULT_MODEL, 'utf8')) as { userDefinedMetadata: { crackcam: unknown } };
  return validateMetadata(json.userDefinedMetadata.crackcam);
}

/** The first `n` photos of a folder of the shared data (sorted, as listImages gives them). */
export async function dataPhotos(folder: string, n: number): Promise<string[]> {
  return (await listImages(path.join(DATA_DIR, folder))).slice(0, n);
}

/** Metadata for a head on the real base. */
export function metadataFor(
  base: { weightCount: number; featureLayer: string; featureShape: [number, number, number] },
  labels: string[],
): ModelMetadata {
  return {
    formatVersion: MODEL_FORMAT_VERSION,
    kind: 'classifier',
    name: 'test',
    version: 1,
    labels,
    inputSize: 227,
    preprocessing: 'caffe-bgr',
    base: {
      name: SQUEEZENET_BASE_NAME,
      weightCount: base.weightCount,
      featureLayer: base.featureLayer,
      featureShape: base.featureShape,
    },
    createdAt: new Date(0).toISOString(),
  };
}

/** Serialises a fresh random head to files (tensors disposed). */
export async function randomHeadFiles(
  featureShape: [number, number, number],
  labels: string[],
  base: { weightCount: number; featureLayer: string } = { weightCount: 705856, featureLayer: 'fire9/relu_expand3x3' },
): Promise<ModelFiles> {
  const head = createHead(featureShape, labels.length);
  const files = await serializeModel(head, metadataFor({ ...base, featureShape }, labels));
  head.dispose();
  return files;
}

/** Writes model files into a new temporary folder and returns the model.json path. */
export async function writeModelDir(files: ModelFiles): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-model-'));
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  return path.join(dir, 'model.json');
}

/** Asserts that `fn` leaves the number of live tensors unchanged. */
export async function expectNoLeak(fn: () => Promise<unknown> | unknown): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${before} tensors before, ${after} after`);
}

/**
 * On the WASM backend: a crack/nocrack classifier with a random head on the shared base, and the
 * first `crack` photos of the data's concrete/crack then the first `nocrack` of concrete/nocrack,
 * decoded. The caller disposes both.
 */
export async function randomClassifierAndPhotos(
  crack: number,
  nocrack: number,
): Promise<{ classifier: CrackClassifier; images: tf.Tensor3D[] }> {
  await useWasm();
  const base = await sharedBase();
  const modelJson = await writeModelDir(await randomHeadFiles(base.featureShape, ['crack', 'nocrack']));
  const classifier = await loadCrackClassifier({ reader: fsReader, modelJson, base });
  const files = [
    ...(await listImages(path.join(DATA_DIR, 'concrete/crack'))).slice(0, crack),
    ...(await listImages(path.join(DATA_DIR, 'concrete/nocrack'))).slice(0, nocrack),
  ];
  const images = await Promise.all(files.map((f) => decodeImageFile(f)));
  return { classifier, images };
}

/** A standard normal deviate from `rng` (Box-Muller). */
export function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
