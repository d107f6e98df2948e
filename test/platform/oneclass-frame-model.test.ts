/**
 * The one-class model in the live frame loop (WASM, real base, a small model trained on concrete
 * nocrack photos): the loop reports what OneClassModel.detect reports, the staged-pixel fast path
 * matches the tensor path, nothing leaks; and the model library loads one-class files by their
 * metadata.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile, listImages } from '../../src/cli/node-io';
import type { BaseNetwork } from '../../src/core/base';
import { METADATA_KEY } from '../../src/core/metadata';
import { ModelFileError } from '../../src/core/model-io';
import type { ModelFiles } from '../../src/core/model-writer';
import {
  createOneClassModel,
  oneClassMetadata,
  serializeOneClassModel,
  trainOneClass,
  type OneClassModel,
} from '../../src/core/oneclass';
import { FrameLoop, type FrameResult, type FrameSource } from '../../src/platform/frame-loop';
import { localLoopModel, type FrameModel } from '../../src/platform/frame-model';
import { loadModelFiles, modelKindOf, validateModelFiles } from '../../src/platform/model-store';
import {
  isOneClassFrameResult,
  ONECLASS_FRAME_KIND,
  oneClassFrameModel,
  type OneClassFrameResult,
} from '../../src/platform/oneclass-frame-model';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, randomHeadFiles, sharedBase, useWasm } from '../helpers';

/** Frames from tensors; the frame id advances on every read so the loop never skips. */
class TensorSource implements FrameSource {
  id = 0;
  constructor(private readonly images: tf.Tensor3D[]) {}
  frameId(): number {
    return ++this.id;
  }
  pixels(): tf.Tensor3D {
    return this.images[this.id % this.images.length];
  }
  onNextFrame(callback: () => void): () => void {
    const h = setTimeout(callback, 1);
    return () => clearTimeout(h);
  }
}

/** Runs a loop for `n` frames; returns copies of what onFrame saw and the tensor count at each frame. */
async function runFrames(model: FrameModel, source: FrameSource, n: number) {
  const seen: OneClassFrameResult[] = [];
  const tensors: number[] = [];
  let loop!: FrameLoop;
  await new Promise<void>((resolve, reject) => {
    loop = new FrameLoop({
      model: localLoopModel(model),
      source,
      onFrame: (r: FrameResult) => {
        if (!isOneClassFrameResult(r)) return reject(new Error('not a one-class result'));
        seen.push({ ...r, map: r.map.slice(), scores: r.scores.map((s) => ({ ...s })) });
        tensors.push(tf.memory().numTensors);
        if (seen.length >= n) resolve();
      },
      onError: reject,
    });
    loop.start();
  });
  await loop.stop();
  return { seen, tensors };
}

/** RGBA bytes of an [h, w, 3] int32 image (alpha 255), as a staged canvas would give them. */
function rgbaOf(image: tf.Tensor3D): Uint8ClampedArray<ArrayBuffer> {
  const [h, w] = image.shape;
  const rgb = image.dataSync();
  const out = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) out.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 255], i * 4);
  return out;
}

/** Staged 227x227 pixels as the frame loop gets them from a canvas (Node has no ImageData). */
class ImageDataLike implements ImageData {
  readonly width = 227;
  readonly height = 227;
  readonly colorSpace = 'srgb' as const;
  constructor(readonly data: Uint8ClampedArray<ArrayBuffer>) {}
}

describe.skipIf(!HAVE_SHARED)('oneClassFrameModel (WASM, real base)', () => {
  let base: BaseNetwork;
  let model: OneClassModel;
  let files: ModelFiles;
  /** Crack, crack, nocrack photos (not in training), centre-cropped to 227x227 as the source stages them. */
  let frames: tf.Tensor3D[];

  beforeAll(async () => {
    await useWasm();
    base = await sharedBase();
    const normal = await listImages(path.join(DATA_DIR, 'concrete/nocrack'));
    const train = normal.slice(0, 8).map((f) => ({ id: path.basename(f), load: () => decodeImageFile(f) }));
    const result = await trainOneClass({ base, preprocessing: 'caffe-bgr', train, folds: 4, topK: 10, seed: 1 });
    const metadata = oneClassMetadata(result, base, { name: 'frame-test-oneclass', preprocessing: 'caffe-bgr' });
    files = await serializeOneClassModel(result.scorer, metadata);
    model = createOneClassModel({ base, scorer: result.scorer, metadata });
    const crack = (await listImages(path.join(DATA_DIR, 'concrete/crack'))).slice(0, 2);
    const photos = await Promise.all([...crack, normal[20]].map((f) => decodeImageFile(f)));
    frames = photos.map((p) => tf.tidy(() => tf.image.resizeBilinear(p, [227, 227]).round().toInt() as tf.Tensor3D));
    tf.dispose(photos);
  });

  afterAll(() => {
    tf.dispose(frames);
    model?.dispose();
  });

  it('reports what detect() reports for the same frame: verdict, score / threshold and the 13x13 anomaly map', async () => {
    const frameModel = oneClassFrameModel(model);
    expect(frameModel.kind).toBe(ONECLASS_FRAME_KIND);
    expect(frameModel.inputSize).toBe(227);
    const { seen } = await runFrames(frameModel, new TensorSource(frames), frames.length);
    // Frame ids start at 1: seen[i] showed frames[(i + 1) % 3].
    for (let i = 0; i < seen.length; i++) {
      const want = await model.detect(frames[(i + 1) % frames.length], { cropFraction: 1 });
      const got = seen[i];
      expect(got.label).toBe(want.label);
      expect(got.score).toBeCloseTo(want.score, 2);
      expect(got.ratio).toBeCloseTo(want.ratio, 4);
      expect(got.threshold).toBe(model.threshold);
      expect([got.mapHeight, got.mapWidth]).toEqual([13, 13]);
      expect(got.map).toHaveLength(169);
      for (let j = 0; j < 169; j++) expect(got.map[j]).toBeCloseTo(want.heatmap[j], 4);
      // The pseudo-probability is 0.5 at the threshold and agrees with the label.
      expect(got.scores.map((s) => s.label)).toEqual(['normal', 'anomaly']);
      expect(got.scores[1].probability).toBeCloseTo(got.ratio / (1 + got.ratio), 6);
      expect(got.probability).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('scores the crack photos as more abnormal than sound concrete, with a hotter map', async () => {
    const { seen } = await runFrames(oneClassFrameModel(model), new TensorSource(frames), 3);
    const byFrame = new Map(seen.map((r, i) => [(i + 1) % 3, r]));
    const normal = byFrame.get(2)!;
    for (const k of [0, 1]) {
      expect(byFrame.get(k)!.ratio).toBeGreaterThan(normal.ratio);
      expect(Math.max(...byFrame.get(k)!.map)).toBeGreaterThan(Math.max(...normal.map));
    }
  });

  it('the staged-pixel fast path gives what the tensor path gives', async () => {
    const rgba = frames.map((f) => new ImageDataLike(rgbaOf(f)));
    for (let i = 0; i < frames.length; i++) {
      const fast = oneClassFrameModel(model);
      const slow = oneClassFrameModel(model, { stagedPixels: false });
      const a = tf.tidy(() => fast.infer(rgba[i]));
      const b = tf.tidy(() => slow.infer(frames[i]));
      const [da, db] = [await a.data(), await b.data()];
      tf.dispose([a, b]);
      expect(da).toHaveLength(170);
      for (let j = 0; j < da.length; j++) expect(da[j]).toBeCloseTo(db[j], 2);
    }
  });

  it('leaves no tensors behind over many frames, on both paths, and after stop', async () => {
    const rgba = new ImageDataLike(rgbaOf(frames[0]));
    const rgbaSource: FrameSource = Object.assign(new TensorSource([]), { pixels: () => rgba });
    for (const [frameModel, source] of [
      [oneClassFrameModel(model), new TensorSource(frames)],
      [oneClassFrameModel(model), rgbaSource],
    ] as const) {
      const before = tf.memory().numTensors;
      const { tensors } = await runFrames(frameModel, source, 25);
      expect(new Set(tensors)).toEqual(new Set([before]));
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('decodes by score vs threshold, honours a threshold override and rejects a bad one', () => {
    const t = model.threshold;
    const fm = oneClassFrameModel(model);
    const packed = new Float32Array(170);
    packed[0] = t * 2;
    packed[5] = 0.75;
    const hi = fm.decode(packed) as OneClassFrameResult;
    expect([hi.label, hi.ratio, hi.map[4]]).toEqual(['anomaly', expect.closeTo(2, 5), 0.75]);
    expect(hi.probability).toBeCloseTo(2 / 3, 5);
    packed[0] = t / 2;
    const lo = fm.decode(packed) as OneClassFrameResult;
    expect(lo.label).toBe('normal');
    expect(lo.probability).toBeCloseTo(2 / 3, 5);
    const strict = oneClassFrameModel(model, { threshold: t / 4 });
    expect(strict.decode(packed).label).toBe('anomaly');
    expect(() => oneClassFrameModel(model, { threshold: 0 })).toThrow(/threshold must be a positive number/);
  });

  it('the model library loads one-class files by their metadata, and validation names bad fields', async () => {
    expect(modelKindOf(files)).toBe('oneclass');
    const loaded = await loadModelFiles(files, base);
    expect(loaded.kind).toBe('oneclass');
    loaded.model.dispose();
    const meta = await validateModelFiles(files, base);
    expect(meta.kind).toBe('oneclass');
    expect(meta.oneClass?.grid).toEqual([13, 13]);
    await expectNoLeak(async () => (await loadModelFiles(files, base)).model.dispose());

    const classifierFiles = await randomHeadFiles(base.featureShape, ['crack', 'nocrack']);
    expect(modelKindOf(classifierFiles)).toBe('classifier');
    const c = await loadModelFiles(classifierFiles, base);
    expect(c.kind).toBe('classifier');
    c.model.dispose();

    const edit = (change: (m: Record<string, unknown>) => void): ModelFiles => {
      const json = JSON.parse(new TextDecoder().decode(files['model.json'])) as {
        userDefinedMetadata: Record<string, Record<string, unknown>>;
      };
      change(json.userDefinedMetadata[METADATA_KEY]);
      return { ...files, 'model.json': new TextEncoder().encode(JSON.stringify(json)) };
    };
    const badTopK = edit((m) => ((m.oneClass as Record<string, unknown>).topK = 0));
    await expect(validateModelFiles(badTopK, base)).rejects.toThrow(ModelFileError);
    await expect(validateModelFiles(badTopK, base)).rejects.toThrow(/oneClass\.topK.*an integer in 1\.\.169/);
    const noSection = edit((m) => delete m.oneClass);
    await expect(validateModelFiles(noSection, base)).rejects.toThrow(/no "oneClass" section/);
    const truncated = { ...files, 'weights.bin': files['weights.bin'].slice(0, 1000) };
    await expect(validateModelFiles(truncated, base)).rejects.toThrow(ModelFileError);
    await expect(validateModelFiles({ 'weights.bin': files['weights.bin'] }, base)).rejects.toThrow(
      /model\.json.*is missing/,
    );
  });
});
