import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { ModelReader } from '../core/model-io';
import type { TrainingProgress } from '../core/trainer';

/** The repository root (two levels above this file). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Environment variable that points the CLIs and the dev server at another base model. */
export const BASE_ENV = 'CRACKCAM_BASE';
/** Environment variable that points the CLIs at another data folder (`../shared/data` by default). */
export const DATA_ENV = 'CRACKCAM_DATA';

/** The base model.json: `--base` flag, else $CRACKCAM_BASE, else ../shared next to the project. */
export function defaultBasePath(flag?: string): string {
  return modelJsonPath(
    flag ?? process.env[BASE_ENV] ?? path.resolve(PROJECT_ROOT, '../shared/models/squeezenet1_1-imagenet'),
  );
}

/** The shared data folder: $CRACKCAM_DATA, else ../shared/data next to the project. */
export function sharedDataPath(): string {
  return process.env[DATA_ENV] ?? path.resolve(PROJECT_ROOT, '../shared/data');
}

/** The committed default model. */
export const DEFAULT_MODEL = path.resolve(PROJECT_ROOT, 'public/models/crackcam-default/model.json');

/** Accepts a model directory or its model.json and returns the model.json path. */
export function modelJsonPath(p: string): string {
  return p.endsWith('.json') ? path.resolve(p) : path.resolve(p, 'model.json');
}

/** Reads model files from the local file system. */
export const fsReader: ModelReader = {
  async read(p: string): Promise<ArrayBuffer> {
    const buf = await readFile(p);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  },
  resolve(from: string, relative: string): string {
    return path.resolve(path.dirname(from), relative);
  },
};

/** Backends usable in Node without native bindings. */
export const NODE_BACKENDS = ['wasm', 'cpu'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Initialises TF.js in Node: WASM (SIMD) by default, the pure-JS CPU backend on request. */
export async function initNodeBackend(name: string = 'wasm'): Promise<NodeBackend> {
  if (!(NODE_BACKENDS as readonly string[]).includes(name)) {
    throw new Error(`backend '${name}' is not available in Node; valid: ${NODE_BACKENDS.join(', ')}`);
  }
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(path.resolve(PROJECT_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  }
  if (!(await tf.setBackend(name))) throw new Error(`backend '${name}' failed to initialise`);
  await tf.ready();
  return name as NodeBackend;
}

/** A photo that cannot be decoded: names the file, and the reason on its own for lists. */
export class UnreadableImageError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'UnreadableImageError';
  }
}

/** How {@link decodeImageFile} sizes the image. */
export interface DecodeOptions {
  /**
   * Shrinks larger images on decode (aspect ratio kept) so that the shorter side is this many
   * pixels: a large photo then never sits in memory at full size. The centre crop the model sees
   * covers the same part of the photo. Default: no limit.
   */
  maxShortSide?: number;
  /** Resampling of that shrink: 'lanczos3' for photos (default), 'nearest' for masks. */
  kernel?: 'lanczos3' | 'nearest';
}

/**
 * The shorter side that photos are decoded at for a model of `inputSize` that sees `cropFraction`
 * of the centred square: four times what the crop needs, so that the crop is still shrunk (with
 * the box filter of centreCrop) rather than enlarged, and photos up to that size decode unchanged.
 */
export function decodeShortSide(inputSize: number, cropFraction = 1): number {
  return Math.ceil((4 * inputSize) / cropFraction);
}

/**
 * Decodes a JPEG/PNG (any size, EXIF orientation applied) into an RGB tensor, shrunk on decode
 * when `options.maxShortSide` says so.
 * @throws UnreadableImageError naming the file when it is not a readable image
 * @returns [h, w, 3] int32 0..255
 */
export async function decodeImageFile(file: string, options: DecodeOptions = {}): Promise<tf.Tensor3D> {
  const { data, info } = await decodeRgb(file, options).catch((e: Error) => {
    throw new UnreadableImageError(file, `not a readable JPEG/PNG (${e.message.split('\n')[0]})`);
  });
  if (info.channels !== 3) throw new UnreadableImageError(file, `decoded to ${info.channels} channels, expected 3`);
  return tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
}

/**
 * Decodes an image file as {@link decodeImageFile} does but makes no tensor: whether a run will be
 * able to read it.
 * @throws UnreadableImageError naming the file when it is not a readable image
 */
export async function checkImageFile(file: string, options: DecodeOptions = {}): Promise<void> {
  const { info } = await decodeRgb(file, options).catch((e: Error) => {
    throw new UnreadableImageError(file, `not a readable JPEG/PNG (${e.message.split('\n')[0]})`);
  });
  if (info.channels !== 3) throw new UnreadableImageError(file, `decoded to ${info.channels} channels, expected 3`);
}

/** The raw RGB bytes of an image file, oriented and (when asked) shrunk by sharp. */
function decodeRgb(file: string, options: DecodeOptions) {
  let image = sharp(file, { sequentialRead: true }).rotate();
  const side = options.maxShortSide;
  if (side !== undefined)
    image = image.resize({
      width: side,
      height: side,
      fit: 'outside',
      withoutEnlargement: true,
      kernel: options.kernel ?? 'lanczos3',
    });
  return image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
}

/** The reason an image could not be decoded, without the file name (for lists that name the file). */
export function unreadableReason(e: unknown): string {
  if (e instanceof UnreadableImageError) return e.reason;
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** One labelled image file. */
export interface LabelledFile {
  path: string;
  label: string;
}

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/** Lists `dir/<label>/*.{jpg,jpeg,png}`, labels sorted, files sorted within a label. */
export async function listLabelledImages(dir: string): Promise<{ labels: string[]; files: LabelledFile[] }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: Error) => {
    throw new Error(`cannot read data folder ${dir}: ${e.message}`);
  });
  const labels = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  if (labels.length === 0) throw new Error(`${dir} has no label sub-folders (expected ${dir}/<label>/<image>.jpg)`);
  const files: LabelledFile[] = [];
  for (const label of labels) {
    const names = (await readdir(path.join(dir, label))).filter((n) => IMAGE_EXT.test(n)).sort();
    for (const n of names) files.push({ path: path.join(dir, label, n), label });
  }
  return { labels, files };
}

/** Lists image files directly inside `dir`, sorted. */
export async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir).catch((e: Error) => {
    throw new Error(`cannot read image folder ${dir}: ${e.message}`);
  });
  const names = entries.filter((n) => IMAGE_EXT.test(n)).sort();
  return names.map((n) => path.join(dir, n));
}

/** True if `p` exists. */
export async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Progress on stderr, rewritten in place on a terminal. */
export function progress(label: string, done: number, total: number): void {
  if (done !== total && done % 50 !== 0) return;
  const line = `${label} ${done}/${total}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
  else process.stderr.write(`${line}\n`);
}

/** Logs trainer progress on stderr: feature extraction every `featureEvery` images, and each epoch. */
export function logTrainingProgress(featureEvery: number): (p: TrainingProgress) => void {
  return (p) => {
    if (p.phase === 'features') {
      if (p.done % featureEvery === 0 || p.done === p.total) process.stderr.write(`features ${p.done}/${p.total}\n`);
    } else {
      process.stderr.write(
        `epoch ${p.epoch}/${p.epochs} loss ${p.trainLoss.toFixed(4)} acc ${p.trainAccuracy.toFixed(4)} | val loss ${p.valLoss.toFixed(4)} acc ${p.valAccuracy.toFixed(4)}\n`,
      );
    }
  };
}
