import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CrackClassifier } from '../../src/core/classifier';
import { centreCropPixels } from '../../src/core/preprocess';
import { FrameLoop, type FrameResult, type FrameSource, type FrameStats } from '../../src/platform/frame-loop';
import { classifierFrameModel, localLoopModel, type FrameModel } from '../../src/platform/frame-model';
import { evenCopyRect } from '../../src/platform/video-frame-source';
import { HAVE_SHARED, randomClassifierAndPhotos } from '../helpers';

/** Frames from tensors; the frame id advances when the test says so (or on every read). */
class TensorSource implements FrameSource {
  id = 0;
  reads = 0;
  constructor(
    protected readonly images: tf.Tensor3D[],
    private readonly advanceOnRead = false,
    /** Signal frames from a microtask (faster than any readback) instead of a timer. */
    private readonly immediate = false,
  ) {}
  frameId(): number {
    if (this.advanceOnRead) this.id++;
    return this.id;
  }
  pixels(): tf.Tensor3D {
    this.reads++;
    return this.images[this.id % this.images.length];
  }
  onNextFrame(callback: () => void): () => void {
    if (this.immediate) {
      let cancelled = false;
      queueMicrotask(() => cancelled || callback());
      return () => (cancelled = true);
    }
    const h = setTimeout(callback, 1);
    return () => clearTimeout(h);
  }
}

/** Runs a loop until `n` frames are done (or it stops); returns what onFrame saw. */
function runFrames(model: FrameModel, source: FrameSource, n: number) {
  const seen: { label: string; probability: number; map: Float32Array; stats: FrameStats }[] = [];
  const errors: unknown[] = [];
  let loop!: FrameLoop;
  const done = new Promise<void>((resolve) => {
    loop = new FrameLoop({
      model: localLoopModel(model),
      source,
      onFrame: (r: FrameResult, stats) => {
        seen.push({ label: r.label, probability: r.probability, map: r.map.slice(), stats: { ...stats } });
        if (seen.length >= n) resolve();
      },
      onError: (e) => {
        errors.push(e);
        resolve();
      },
    });
  });
  loop.start();
  return { loop, seen, errors, done: done.then(() => loop.stop()) };
}

describe.skipIf(!HAVE_SHARED)('FrameLoop with the real classifier (WASM)', () => {
  let classifier: CrackClassifier;
  let images: tf.Tensor3D[];

  beforeAll(async () => {
    ({ classifier, images } = await randomClassifierAndPhotos(2, 1));
  });

  afterAll(() => {
    tf.dispose(images);
    classifier?.dispose();
  });

  it('reports what classifier.classify reports for the same frame, with the crack map (the fine map when the model has one)', async () => {
    const source = new TensorSource(images);
    source.id = 1;
    const model = classifierFrameModel(classifier);
    const { seen, errors, done } = runFrames(model, source, 1);
    await done;
    expect(errors).toEqual([]);
    const want = await classifier.classify(images[1], { camClass: 'crack' });
    expect(seen[0].label).toBe(want.label);
    expect(seen[0].probability).toBeCloseTo(want.probability, 5);
    const wantMap = want.fineCam ?? want.cam;
    expect(seen[0].map).toHaveLength(wantMap.length);
    for (let i = 0; i < wantMap.length; i++) expect(seen[0].map[i]).toBeCloseTo(wantMap[i], 5);
  });

  it('takes RGBA pixel frames of any size (read by core, not staged) as their RGB tensor, without leaking', async () => {
    const model = classifierFrameModel(classifier);
    const rgb = tf.tidy(() =>
      tf.pad(images[0], [
        [0, 0],
        [40, 33],
        [0, 0],
      ]),
    ) as tf.Tensor3D; // [227, 300, 3]: not staged at 227
    const [h, w] = rgb.shape;
    const withAlpha = tf.tidy(() => tf.concat([rgb, tf.fill([h, w, 1], 255, 'int32')], 2)); // [227, 300, 4]
    const rgba = { data: new Uint8ClampedArray(await withAlpha.data()), width: w, height: h };
    withAlpha.dispose();
    const viaTensor = tf.tidy(() => model.infer(rgb)); // [C + map]
    const viaPixels = tf.tidy(() => model.infer(rgba));
    expect(tf.max(tf.abs(tf.sub(viaTensor, viaPixels))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([rgb, viaTensor, viaPixels]);
    const before = tf.memory().numTensors;
    tf.tidy(() => model.infer(rgba)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('processes each frame once: unchanged frame ids are skipped', async () => {
    const source = new TensorSource(images);
    const { loop, seen } = runFrames(classifierFrameModel(classifier), source, 100);
    // Until the loop has come back to the unchanged frame a few times (however long the first
    // inference takes on a loaded machine), then it must not have read or run it again.
    await vi.waitFor(() => expect(loop.stats.skipped).toBeGreaterThan(3), { timeout: 60_000, interval: 20 });
    await loop.stop();
    expect(seen).toHaveLength(1);
    expect(source.reads).toBe(1);
  });

  it('keeps one frame in flight even when frames arrive faster than it runs', async () => {
    const { model: counting, maxInFlight } = countingInFlight(classifierFrameModel(classifier));
    const source = new TensorSource(images, true, true);
    const { seen, done, errors } = runFrames(counting, source, 6);
    await done;
    expect(errors).toEqual([]);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(maxInFlight()).toBe(1);
    expect(seen.at(-1)?.stats.fps).toBeGreaterThan(0);
    expect(seen.at(-1)?.stats.latencyMs).toBeGreaterThan(0);
  });

  it('leaves no tensors behind over many frames and after stop', async () => {
    const source = new TensorSource(images, true);
    const model = classifierFrameModel(classifier);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    let loop!: FrameLoop;
    const done = new Promise<void>((resolve, reject) => {
      loop = new FrameLoop({
        model: localLoopModel(model),
        source,
        onFrame: (_r, stats) => {
          counts.push(tf.memory().numTensors);
          if (stats.frames >= 40) resolve();
        },
        onError: reject,
      });
    });
    loop.start();
    await done;
    await loop.stop();
    expect(new Set(counts)).toEqual(new Set([before]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stages frames with an asynchronous stagePixels when the source has one: same results, one in flight, no leak', async () => {
    /** Stages the tensor frames as RGBA bytes after a delay, as VideoFrameSource's VideoFrame copy does. */
    class StagingSource extends TensorSource {
      stagings = 0;
      async stagePixels(): Promise<tf.PixelData> {
        this.stagings++;
        const image = this.images[this.id % this.images.length];
        const [h, w] = image.shape;
        const rgb = await image.data();
        await new Promise((r) => setTimeout(r, 2));
        const data = new Uint8Array(w * h * 4);
        for (let i = 0; i < w * h; i++) data.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 255], i * 4);
        return { data, width: w, height: h };
      }
    }
    const { model: counting, maxInFlight } = countingInFlight(classifierFrameModel(classifier));
    const source = new StagingSource(images, true, true);
    const before = tf.memory().numTensors;
    const { seen, done, errors } = runFrames(counting, source, 6);
    await done;
    expect(errors).toEqual([]);
    expect(source.reads).toBe(0);
    expect(source.stagings).toBe(seen.length);
    expect(maxInFlight()).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    // Frame ids 1..n were staged in order: compare each with the tensor path on the same image.
    for (let f = 0; f < 3; f++) {
      const want = await classifier.classify(images[(f + 1) % images.length], { camClass: 'crack' });
      expect(seen[f].label).toBe(want.label);
      expect(seen[f].probability).toBeCloseTo(want.probability, 4);
      const wantMap = want.fineCam ?? want.cam;
      expect(seen[f].map).toHaveLength(wantMap.length);
      for (let i = 0; i < wantMap.length; i++) expect(seen[f].map[i]).toBeCloseTo(wantMap[i], 3);
    }
  });

  it('stop waits for the frame in flight and no result arrives after it', async () => {
    const source = new TensorSource(images, true);
    let after = 0;
    let stopped = false;
    const loop = new FrameLoop({
      model: localLoopModel(classifierFrameModel(classifier)),
      source,
      onFrame: () => {
        if (stopped) after++;
      },
    });
    const before = tf.memory().numTensors;
    loop.start();
    await new Promise((r) => setTimeout(r, 30));
    await loop.stop();
    stopped = true;
    expect(loop.running).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    await new Promise((r) => setTimeout(r, 200));
    expect(after).toBe(0);
  });

  it('stops and reports a frame that cannot be processed, without leaking', async () => {
    // An RGBA tensor (4 channels): normalisation rejects it inside the loop's tidy.
    const rgba = tf.zeros([64, 64, 4], 'int32') as tf.Tensor3D;
    const source = new TensorSource([rgba], true);
    const before = tf.memory().numTensors;
    const { loop, errors, done } = runFrames(classifierFrameModel(classifier), source, 1);
    await done;
    expect(errors).toHaveLength(1);
    expect(loop.running).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    rgba.dispose();
  });
});

/** A source whose frames appear when the test presents them (as a camera's rVFC callbacks do). */
class PresentedSource implements FrameSource {
  id = 0;
  private waiting: (() => void)[] = [];
  frameId(): number {
    return this.id;
  }
  pixels(): never {
    throw new Error('remote models take the frame themselves');
  }
  present(): void {
    this.id++;
    for (const callback of this.waiting.splice(0)) callback();
  }
  onNextFrame(callback: () => void): () => void {
    this.waiting.push(callback);
    return () => (this.waiting = this.waiting.filter((c) => c !== callback));
  }
}

describe('FrameLoop pacing', () => {
  it('takes a frame shown while one was in flight as soon as that one is done, without waiting for the next', async () => {
    const source = new PresentedSource();
    const runs: { id: number; finish: () => void }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const result: FrameResult = {
      label: 'crack',
      probability: 1,
      scores: [],
      map: new Float32Array(1),
      mapWidth: 1,
      mapHeight: 1,
    };
    const loop = new FrameLoop({
      model: {
        kind: 'classifier',
        inputSize: 1,
        run: (s) =>
          new Promise<FrameResult>((resolve) => {
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            runs.push({ id: s.frameId() ?? -1, finish: () => (inFlight--, resolve(result)) });
          }),
      },
      source,
      onFrame: () => {},
    });
    const settle = () => new Promise((r) => setTimeout(r, 0));
    loop.start();
    source.present();
    await settle();
    expect(runs.map((r) => r.id)).toEqual([1]);
    source.present(); // frame 2 shows while frame 1 is in flight
    source.present(); // and frame 3: the newest wins, nothing queues
    await settle();
    expect(runs).toHaveLength(1);
    runs[0].finish();
    await settle();
    expect(runs.map((r) => r.id)).toEqual([1, 3]);
    runs[1].finish();
    await settle();
    expect(runs).toHaveLength(2); // nothing new shown: it waits
    source.present();
    await settle();
    expect(runs.map((r) => r.id)).toEqual([1, 3, 4]);
    runs[2].finish();
    await settle();
    await loop.stop();
    expect(maxInFlight).toBe(1);
    expect(loop.stats.frames).toBe(3);
  });
});

/** Wraps a frame model to count frames between inference and decoding (the async readback in between). */
function countingInFlight(inner: FrameModel): { model: FrameModel; maxInFlight: () => number } {
  let inFlight = 0;
  let max = 0;
  const model: FrameModel = {
    kind: inner.kind,
    inputSize: inner.inputSize,
    infer(frame) {
      inFlight++;
      max = Math.max(max, inFlight);
      return inner.infer(frame);
    },
    decode(packed) {
      inFlight--;
      return inner.decode(packed);
    },
  };
  return { model, maxInFlight: () => max };
}

describe('evenCopyRect', () => {
  it.each([
    [640, 480, 1],
    [640, 480, 0.7],
    [1280, 720, 0.55],
    [641, 479, 1],
    [300, 200, 0.333],
    [2, 2, 1],
  ])(
    'covers the centre crop of %ix%i (fraction %f) with even corners and sides inside the frame',
    (width, height, fraction) => {
      const crop = centreCropPixels(width, height, fraction);
      const r = evenCopyRect(crop, width, height);
      expect(r.x % 2).toBe(0);
      expect(r.y % 2).toBe(0);
      expect(r.x).toBeLessThanOrEqual(crop.x);
      expect(r.y).toBeLessThanOrEqual(crop.y);
      expect(r.x + r.width).toBeGreaterThanOrEqual(crop.x + crop.side);
      expect(r.y + r.height).toBeGreaterThanOrEqual(crop.y + crop.side);
      expect(r.x + r.width).toBeLessThanOrEqual(width);
      expect(r.y + r.height).toBeLessThanOrEqual(height);
      // Even sides unless the frame side itself is odd and the rect reaches its edge.
      if (r.x + r.width < width || width % 2 === 0) expect(r.width % 2).toBe(0);
      if (r.y + r.height < height || height % 2 === 0) expect(r.height % 2).toBe(0);
    },
  );
});
