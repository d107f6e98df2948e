import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MATLAB_REFERENCE_AUGMENT } from '../../src/core/augment';
import { loadCrackClassifier, loadHead } from '../../src/core/classifier';
import {
  convAsMatrix,
  FINE_LAYER,
  linearHeadOf,
  trunkExpandLayer,
  trunkOf,
  trunkSqueezeLayer,
} from '../../src/core/head';
import { autodiffGradCam, rescaleCam } from '../../src/core/gradcam';
import { cropAndNormalise } from '../../src/core/preprocess';
import { serializeModel } from '../../src/core/model-writer';
import { SQUEEZENET_FEATURE_LAYER } from '../../src/core/base';
import { validateMetadata } from '../../src/core/metadata';
import { classificationReport } from '../../src/core/metrics';
import {
  pooledFeatures,
  trainedBaseReference,
  trainHead,
  trainingLayers,
  type EpochStats,
  type TrainingProgress,
  type TrainingSample,
  type WatchedCam,
} from '../../src/core/trainer';
import { deepFires } from '../../src/core/trainer-layers';
import { trainedClassifierMetadata } from '../../src/core/trainer-metadata';
import { decodeImageFile, fsReader, listImages } from '../../src/cli/node-io';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, metadataFor, sharedBase, useWasm, writeModelDir } from '../helpers';

beforeAll(useWasm);

async function samples(perClass: number, offset = 0): Promise<TrainingSample[]> {
  const out: TrainingSample[] = [];
  for (const [label, folder] of [
    [0, 'crack'],
    [1, 'nocrack'],
  ] as const) {
    const files = (await listImages(path.join(DATA_DIR, 'concrete', folder))).slice(offset, offset + perClass);
    for (const f of files) out.push({ id: path.basename(f), label, load: () => decodeImageFile(f) });
  }
  return out;
}

describe.skipIf(!HAVE_SHARED)('trainHead', () => {
  it('learns crack vs nocrack from a few photos, reports progress, and leaks nothing', async () => {
    const base = await sharedBase();
    const train = await samples(8);
    const validation = await samples(6, 100);
    const progress: TrainingProgress[] = [];
    let result: Awaited<ReturnType<typeof trainHead>> | undefined;
    await expectNoLeak(async () => {
      result = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels: ['crack', 'nocrack'],
        train,
        validation,
        epochs: 30,
        views: 2,
        batchSize: 8,
        augment: MATLAB_REFERENCE_AUGMENT,
        seed: 1,
        onProgress: (p) => {
          progress.push(p);
        },
      });
      result.head.dispose();
    });
    const r = result!;
    expect(r.history).toHaveLength(30);
    expect(progress.filter((p) => p.phase === 'epoch')).toHaveLength(30);
    expect(progress.some((p) => p.phase === 'features' && p.done === p.total)).toBe(true);
    expect(r.history[29].trainLoss).toBeLessThan(r.history[0].trainLoss);
    // Concrete cracks are easy for ImageNet features: 12 unseen photos should be >= 10/12 right.
    expect(r.validation.accuracy).toBeGreaterThanOrEqual(10 / 12);
    expect(r.validation.n).toBe(12);
    expect(r.misclassified.length).toBe(Math.round((1 - r.validation.accuracy) * 12));
  });

  it('starts from given weights, and the result round-trips through model files', async () => {
    const base = await sharedBase();
    const train = await samples(4);
    const first = await trainHead({
      base,
      preprocessing: 'caffe-bgr',
      labels: ['crack', 'nocrack'],
      train,
      validation: [],
      epochs: 3,
      batchSize: 8,
    });
    const initial = linearHeadOf(first.head);
    const second = await trainHead({
      base,
      preprocessing: 'caffe-bgr',
      labels: ['crack', 'nocrack'],
      train,
      validation: [],
      epochs: 0,
      initial: first.head,
    });
    const again = linearHeadOf(second.head);
    expect(tf.max(tf.abs(tf.sub(again.kernel, initial.kernel))).dataSync()[0]).toBe(0);
    const modelJson = await writeModelDir(await serializeModel(second.head, metadataFor(base, ['crack', 'nocrack'])));
    const { head } = await loadHead(fsReader, modelJson);
    const loaded = linearHeadOf(head);
    expect(tf.max(tf.abs(tf.sub(loaded.kernel, initial.kernel))).dataSync()[0]).toBe(0);
    tf.dispose([initial.kernel, initial.bias, again.kernel, again.bias, loaded.kernel, loaded.bias]);
    [first.head, second.head, head].forEach((h) => h.dispose());
  });

  it('trains a head with a hidden layer on whole feature maps, continues from it, and leaks nothing', async () => {
    const base = await sharedBase();
    const train = await samples(6);
    const validation = await samples(4, 100);
    await expectNoLeak(async () => {
      const r = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels: ['crack', 'nocrack'],
        train,
        validation,
        epochs: 20,
        views: 1,
        batchSize: 6,
        hidden: 8,
        seed: 4,
      });
      expect(r.head.getLayer('crackcam_hidden').getWeights()[0].shape).toEqual([1, 1, 256, 8]);
      expect(r.history[19].trainLoss).toBeLessThan(r.history[0].trainLoss);
      expect(r.validation.accuracy).toBeGreaterThanOrEqual(6 / 8);
      const again = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels: ['crack', 'nocrack'],
        train,
        validation: [],
        epochs: 0,
        initial: r.head,
      });
      const [a, b] = [
        r.head.getLayer('crackcam_hidden').getWeights()[0],
        again.head.getLayer('crackcam_hidden').getWeights()[0],
      ];
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
      r.head.dispose();
      again.head.dispose();
    });
  });

  it('an anchor keeps an adapted head near the head it started from (L2-SP), and leaks nothing', async () => {
    const base = await sharedBase();
    const labels = ['crack', 'nocrack'];
    const start = await trainHead({
      base,
      preprocessing: 'caffe-bgr',
      labels,
      train: await samples(6),
      validation: [],
      epochs: 10,
      views: 1,
      batchSize: 6,
      hidden: 8,
      seed: 5,
    });
    // The new site says the opposite of the old one: without an anchor the head moves far.
    const flipped = (await samples(6, 50)).map((s) => ({ ...s, label: 1 - s.label }));
    const kernels = (head: tf.LayersModel) =>
      ['crackcam_hidden', 'crackcam_classifier'].map((layer) => {
        const { kernel, bias } = linearHeadOf(head, layer);
        bias.dispose();
        return kernel;
      });
    const moved = async (anchor: number) => {
      const r = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels,
        train: flipped,
        validation: [],
        epochs: 10,
        views: 1,
        batchSize: 6,
        initial: start.head,
        anchor,
        seed: 5,
      });
      const [w, w0] = [kernels(r.head), kernels(start.head)];
      const distance = tf.tidy(() => tf.addN(w.map((k, i) => tf.sum(tf.square(tf.sub(k, w0[i]))))).dataSync()[0]);
      tf.dispose([...w, ...w0]);
      r.head.dispose();
      return distance;
    };
    let free = 0;
    let anchored = 0;
    await expectNoLeak(async () => {
      free = await moved(0);
      anchored = await moved(100);
    });
    expect(free).toBeGreaterThan(0);
    expect(anchored).toBeLessThan(free / 4);
    await expect(
      trainHead({ base, preprocessing: 'caffe-bgr', labels, train: flipped, validation: [], anchor: -1 }),
    ).rejects.toThrow(/anchor must be a finite number >= 0, got -1/);
    start.head.dispose();
  });

  it('stops on abort without leaking', async () => {
    const base = await sharedBase();
    const train = await samples(4);
    const controller = new AbortController();
    await expectNoLeak(async () => {
      const run = trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels: ['crack', 'nocrack'],
        train,
        validation: [],
        epochs: 1000,
        batchSize: 2,
        onProgress: (p) => {
          if (p.phase === 'epoch' && p.epoch === 2) controller.abort();
        },
        signal: controller.signal,
      });
      await expect(run).rejects.toThrow(/abort/i);
    });
  });

  it('rejects bad labels naming the valid range', async () => {
    const base = await sharedBase();
    const bad: TrainingSample[] = [{ id: 'x', label: 5, load: async () => tf.zeros([227, 227, 3]) as tf.Tensor3D }];
    await expect(
      trainHead({ base, preprocessing: 'caffe-bgr', labels: ['a', 'b'], train: bad, validation: [] }),
    ).rejects.toThrow(/label index 5; valid: 0..1/);
  });

  it('pooledFeatures returns [views, n, 256] and frees the loaded images', async () => {
    const base = await sharedBase();
    const train = await samples(2);
    await expectNoLeak(async () => {
      const f = await pooledFeatures(base, 'caffe-bgr', train, {
        views: 3,
        augment: MATLAB_REFERENCE_AUGMENT,
        seed: 2,
      });
      expect(f.shape).toEqual([3, 4, 256]);
      f.dispose();
    });
  });
});

describe.skipIf(!HAVE_SHARED)(
  'trainHead on other base layers (fire5; deep mode: fire8 and fire9 fine-tuned as matMuls)',
  () => {
    const labels = ['crack', 'nocrack'];
    const metadataOf = (
      r: { featureLayer: string; featureShape: [number, number, number] },
      base: { weightCount: number },
    ) =>
      metadataFor(
        { weightCount: base.weightCount, featureLayer: r.featureLayer, featureShape: r.featureShape },
        labels,
      );

    it('fine-tunes fire8, fire9 and the head, redraws the watched Grad-CAM every epoch, and leaks nothing', async () => {
      const base = await sharedBase();
      const train = await samples(6);
      const validation = await samples(3, 100);
      const watched: [number, WatchedCam[]][] = [];
      await expectNoLeak(async () => {
        const r = await trainHead({
          base,
          preprocessing: 'caffe-bgr',
          labels,
          train,
          validation,
          mode: 'deep',
          hidden: 8,
          epochs: 4,
          views: 1,
          batchSize: 6,
          seed: 3,
          watch: validation.slice(0, 2),
          onWatch: (epoch, cams) => {
            watched.push([epoch, cams]);
          },
        });
        expect(r.mode).toBe('deep');
        expect(r.trunk).toEqual(['fire8', 'fire9']);
        expect(r.fineTuned).toEqual(['fire8', 'fire9']);
        expect(r.featureLayer).toBe('fire7/concat');
        expect(r.featureShape).toEqual([13, 13, 384]);
        expect(r.head.getLayer(trunkSqueezeLayer('fire8')).getWeights()[0].shape).toEqual([1, 1, 384, 64]);
        expect(r.head.getLayer(trunkExpandLayer('fire8')).getWeights()[0].shape).toEqual([3, 3, 64, 512]); // expand 1x1 + 3x3 as one 3x3
        expect(r.head.getLayer(trunkSqueezeLayer('fire9')).getWeights()[0].shape).toEqual([1, 1, 512, 64]);
        expect(r.head.getLayer(trunkExpandLayer('fire9')).getWeights()[0].shape).toEqual([3, 3, 64, 256]);
        // Both modules moved away from the ImageNet weights.
        const tuned = trunkOf(r.head)!;
        for (const [i, fire] of ['fire8', 'fire9'].entries()) {
          const original = convAsMatrix(base.layer(`${fire}/squeeze1x1`));
          expect(
            tf.tidy(() => tf.max(tf.abs(tf.sub(tuned[i].squeeze.kernel, original.kernel))).dataSync()[0]),
          ).toBeGreaterThan(0);
          tf.dispose([original.kernel, original.bias]);
        }
        tf.dispose(tuned.flatMap((m) => [m.squeeze.kernel, m.squeeze.bias, m.expand.kernel, m.expand.bias]));
        expect(r.history[3].trainLoss).toBeLessThan(r.history[0].trainLoss);
        expect(r.validation.accuracy).toBeGreaterThanOrEqual(4 / 6);
        r.head.dispose();
      });
      expect(watched.map(([e]) => e)).toEqual([0, 1, 2, 3, 4]);
      for (const [, cams] of watched) {
        expect(cams).toHaveLength(2);
        for (const c of cams) {
          expect(c.cam).toHaveLength(169);
          expect(Math.min(...c.cam)).toBeGreaterThanOrEqual(0);
          expect(Math.max(...c.cam)).toBeLessThanOrEqual(1);
          expect(c.probabilities[0] + c.probabilities[1]).toBeCloseTo(1, 5);
        }
      }
    });

    it('a deep model with its fire copies untouched classifies exactly like the head it started from, through model files', async () => {
      const base = await sharedBase();
      const train = await samples(4);
      const start = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels,
        train,
        validation: [],
        epochs: 3,
        batchSize: 8,
        hidden: 4,
        seed: 5,
      });
      const deep = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels,
        train,
        validation: [],
        epochs: 0,
        mode: 'deep',
        initial: start.head,
      });
      const dirs = [
        await writeModelDir(await serializeModel(start.head, metadataOf(start, base))),
        await writeModelDir(await serializeModel(deep.head, metadataOf(deep, base))),
      ];
      const [a, b] = [
        await loadCrackClassifier({ reader: fsReader, modelJson: dirs[0], base }),
        await loadCrackClassifier({ reader: fsReader, modelJson: dirs[1], base }),
      ];
      const image = await train[0].load();
      await expectNoLeak(async () => {
        const x = cropAndNormalise(image, 227, 'caffe-bgr');
        const [ra, rb] = [a.classifyBatch(x), b.classifyBatch(x)];
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ra.probabilities, rb.probabilities))).dataSync()[0])).toBeLessThan(
          1e-5,
        );
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ra.cam, rb.cam))).dataSync()[0])).toBeLessThan(1e-3);
        // The Layers form of the deep head (conv2d) agrees with the classifier's matMul form.
        const viaLayers = tf.tidy(() =>
          tf.softmax(b.head.predict(base.cut(deep.featureLayer).predict(x) as tf.Tensor4D) as tf.Tensor2D),
        );
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(viaLayers, rb.probabilities))).dataSync()[0])).toBeLessThan(1e-4);
        tf.dispose([x, ra.probabilities, ra.camClass, ra.cam, rb.probabilities, rb.camClass, rb.cam, viaLayers]);
      });
      image.dispose();
      [a, b].forEach((c) => c.dispose());
      [start.head, deep.head].forEach((h) => h.dispose());
    });

    it('deepModules 1 copies fire9 only; deep mode from it adds fire8 from the base and keeps its fire9; head mode keeps the copies frozen', async () => {
      const base = await sharedBase();
      const train = await samples(4);
      const common = {
        base,
        preprocessing: 'caffe-bgr' as const,
        labels,
        train,
        validation: [],
        batchSize: 8,
        seed: 7,
      };
      const one = await trainHead({ ...common, epochs: 1, hidden: 4, mode: 'deep', deepModules: 1 });
      expect([one.trunk, one.featureLayer]).toEqual([['fire9'], 'fire8/concat']);
      const two = await trainHead({ ...common, epochs: 0, mode: 'deep', initial: one.head });
      expect([two.trunk, two.fineTuned, two.featureLayer]).toEqual([
        ['fire8', 'fire9'],
        ['fire8', 'fire9'],
        'fire7/concat',
      ]);
      // Head mode applies the frozen copies once, as it caches the maps: what it computes on those
      // (the watched probabilities after the last epoch) is what the saved model computes from fire7.
      let watched: WatchedCam[] = [];
      const frozen = await trainHead({
        ...common,
        epochs: 2,
        hidden: 4,
        mode: 'head',
        initial: two.head,
        watch: train.slice(0, 2),
        onWatch: (_epoch, cams) => {
          watched = cams;
        },
      });
      expect([frozen.trunk, frozen.fineTuned, frozen.featureLayer]).toEqual([['fire8', 'fire9'], [], 'fire7/concat']);
      // applying the frozen copies as the maps are cached leaves nothing behind
      await expectNoLeak(async () => {
        (await trainHead({ ...common, epochs: 1, mode: 'head', initial: two.head })).head.dispose();
      });
      const image = await train[0].load();
      const x = cropAndNormalise(image, 227, 'caffe-bgr');
      const [f7, f8] = base.cutMany(['fire7/concat', 'fire8/concat']).predict(x) as tf.Tensor4D[];
      const saved = tf.tidy(() => tf.softmax(frozen.head.predict(f7) as tf.Tensor2D)); // the head outputs logits
      const [want, got] = [Array.from(saved.dataSync()), Array.from(watched[0].probabilities)];
      saved.dispose();
      got.forEach((p, i) => expect(p).toBeCloseTo(want[i], 4));
      // With no epochs, fire8 is the base's and fire9 the first head's: the same predictions.
      const [p1, p2] = [one.head.predict(f8) as tf.Tensor, two.head.predict(f7) as tf.Tensor];
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(p1, p2))).dataSync()[0])).toBeLessThan(1e-4);
      // Head mode changed the head's layers only.
      for (const layer of [trunkSqueezeLayer('fire8'), trunkExpandLayer('fire9')]) {
        const [a, b] = [two.head.getLayer(layer).getWeights()[0], frozen.head.getLayer(layer).getWeights()[0]];
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
      }
      await expect(trainHead({ ...common, epochs: 0, mode: 'deep', deepModules: 4 })).rejects.toThrow(/valid: 1, 2, 3/);
      tf.dispose([image, x, f7, f8, p1, p2]);
      [one, two, frozen].forEach((r) => r.head.dispose());
    });

    it('trains a head on a finer layer (fire5, 27x27), whose model gives a 27x27 Grad-CAM through model files', async () => {
      const base = await sharedBase();
      const train = await samples(4);
      const validation = await samples(2, 100);
      const fine = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels,
        train,
        validation,
        epochs: 3,
        batchSize: 8,
        hidden: 4,
        featureLayer: 'fire5/concat',
        seed: 6,
      });
      expect(fine.featureLayer).toBe('fire5/concat');
      expect(fine.featureShape).toEqual([27, 27, 256]);
      const modelJson = await writeModelDir(await serializeModel(fine.head, metadataOf(fine, base)));
      const classifier = await loadCrackClassifier({ reader: fsReader, modelJson, base });
      expect(classifier.metadata.base.featureLayer).toBe('fire5/concat');
      const image = await train[0].load();
      await expectNoLeak(async () => {
        const x = cropAndNormalise(image, 227, 'caffe-bgr');
        const out = classifier.classifyBatch(x);
        expect(out.cam.shape).toEqual([1, 27, 27]);
        // The classifier's matMul form agrees with the Layers head on fire5's maps.
        const viaLayers = tf.tidy(() =>
          tf.softmax(fine.head.predict(base.cut('fire5/concat').predict(x) as tf.Tensor4D) as tf.Tensor2D),
        );
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(viaLayers, out.probabilities))).dataSync()[0])).toBeLessThan(1e-4);
        tf.dispose([x, out.probabilities, out.camClass, out.cam, viaLayers]);
      });
      image.dispose();
      // Continuing from it needs its layer; deep mode (fire9) cannot take it.
      await expect(
        trainHead({ base, preprocessing: 'caffe-bgr', labels, train, validation: [], epochs: 0, initial: fine.head }),
      ).rejects.toThrow(
        /initial head reads \[27, 27, 256\] features, but base layer 'fire9\/relu_expand3x3' gives \[13, 13, 256\]/,
      );
      await expect(
        trainHead({
          base,
          preprocessing: 'caffe-bgr',
          labels,
          train,
          validation: [],
          epochs: 0,
          mode: 'deep',
          featureLayer: 'fire5/concat',
        }),
      ).rejects.toThrow(
        /deep mode fine-tunes the last fire modules and needs a head on fire9, but this head reads 'fire5\/concat'/,
      );
      const again = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels,
        train,
        validation: [],
        epochs: 0,
        initial: fine.head,
        featureLayer: 'fire5/concat',
      });
      expect(again.featureShape).toEqual([27, 27, 256]);
      classifier.dispose();
      [fine.head, again.head].forEach((h) => h.dispose());
    });

    it('trains a fine head on fire3 whose fine map is its tf.grad Grad-CAM gated by the classifier Grad-CAM, through model files', async () => {
      const base = await sharedBase();
      const train = await samples(4);
      const r = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels,
        train,
        validation: [],
        epochs: 2,
        batchSize: 8,
        hidden: 4,
        fineLayer: 'fire3/concat',
        seed: 7,
      });
      expect(r.fineLayer).toBe('fire3/concat');
      expect(r.fineShape).toEqual([56, 56, 128]);
      expect(r.head.getLayer(FINE_LAYER).getWeights()[0].shape).toEqual([1, 1, 128, 2]);
      const metadata = { ...metadataOf(r, base), base: trainedBaseReference(metadataOf(r, base).base, r) };
      expect(metadata.base.fineLayer).toBe('fire3/concat');
      const modelJson = await writeModelDir(await serializeModel(r.head, metadata));
      // Loading and disposing a fine-head model (its in-pass fine convolution included) leaks nothing.
      await expectNoLeak(async () => (await loadCrackClassifier({ reader: fsReader, modelJson, base })).dispose());
      const classifier = await loadCrackClassifier({ reader: fsReader, modelJson, base });
      const image = await train[0].load();
      await expectNoLeak(async () => {
        const x = cropAndNormalise(image, 227, 'caffe-bgr');
        const out = classifier.classifyBatch(x, { camClass: 'crack' });
        expect(out.fineCam?.shape).toEqual([1, 56, 56]);
        const expected = tf.tidy(() => {
          const fine = base.cut('fire3/concat').predict(x) as tf.Tensor4D; // [1, 56, 56, 128]
          // The fine head (1x1 conv + GAP) as a matMul: WASM cannot differentiate conv2d (no Conv2DBackpropFilter).
          const w = convAsMatrix(r.head.getLayer(FINE_LAYER));
          const raw = autodiffGradCam(
            fine,
            (f) => tf.add(tf.matMul(tf.mean(f, [1, 2]) as tf.Tensor2D, w.kernel), w.bias) as tf.Tensor2D,
            0,
            'softmax',
          ); // [1, 56, 56]
          const gate = tf.squeeze(
            tf.image.resizeBilinear(tf.expandDims(out.cam, -1) as tf.Tensor4D, [56, 56], false, true),
            [3],
          ) as tf.Tensor3D;
          return rescaleCam(tf.mul(rescaleCam(raw, true), gate) as tf.Tensor3D, false);
        });
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(expected, out.fineCam!))).dataSync()[0])).toBeLessThan(1e-4);
        const { max, min } = tf.tidy(() => ({
          max: tf.max(out.fineCam!).dataSync()[0],
          min: tf.min(out.fineCam!).dataSync()[0],
        }));
        expect(max).toBeCloseTo(1, 5);
        expect(min).toBeGreaterThanOrEqual(0);
        // fineMap: false skips it (and the fire3 output) and changes nothing else.
        const plainOut = classifier.classifyBatch(x, { camClass: 'crack', fineMap: false });
        expect(plainOut.fineCam).toBeUndefined();
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(plainOut.probabilities, out.probabilities))).dataSync()[0])).toBe(0);
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(plainOut.cam, out.cam))).dataSync()[0])).toBe(0);
        tf.dispose([
          x,
          out.probabilities,
          out.camClass,
          out.cam,
          out.fineCam!,
          expected,
          plainOut.probabilities,
          plainOut.camClass,
          plainOut.cam,
        ]);
      });
      const c = await classifier.classify(image, { camClass: 'crack' });
      expect([c.fineHeight, c.fineWidth, c.fineCam?.length]).toEqual([56, 56, 56 * 56]);
      image.dispose();
      // Fine-tuning keeps training it from where it was; without fineLayer the new head has none.
      await expectNoLeak(async () => {
        const again = await trainHead({
          base,
          preprocessing: 'caffe-bgr',
          labels,
          train,
          validation: train.slice(0, 2),
          epochs: 1,
          views: 2,
          initial: r.head,
          fineLayer: 'fire3/concat',
        });
        expect(again.head.getLayer(FINE_LAYER).getWeights()[0].shape).toEqual([1, 1, 128, 2]);
        again.head.dispose();
      });
      const plain = await trainHead({
        base,
        preprocessing: 'caffe-bgr',
        labels,
        train,
        validation: [],
        epochs: 0,
        initial: r.head,
      });
      expect(plain.fineLayer).toBeUndefined();
      expect(trainedBaseReference(metadata.base, plain).fineLayer).toBeUndefined();
      classifier.dispose();
      [r.head, plain.head].forEach((h) => h.dispose());
    });

    it('rejects an unknown mode naming the valid ones', async () => {
      const base = await sharedBase();
      const train = await samples(1);
      await expect(
        // @ts-expect-error: an invalid mode from untyped input (e.g. a CLI flag)
        trainHead({ base, preprocessing: 'caffe-bgr', labels, train, validation: [], mode: 'full' }),
      ).rejects.toThrow(/mode 'full' is invalid; valid: head, deep/);
    });
  },
);

describe('trainingLayers: the one choice of fire module copies and cached layer', () => {
  it('deep mode takes fire8 and fire9 (or the starting head’s copies, if more) and caches the layer under them', () => {
    expect(trainingLayers({ mode: 'deep', initialFires: [] })).toEqual({
      fires: ['fire8', 'fire9'],
      trainTrunk: true,
      featureLayer: 'fire7/concat',
    });
    expect(trainingLayers({ mode: 'deep', initialFires: [], deepModules: 1 })).toEqual({
      fires: ['fire9'],
      trainTrunk: true,
      featureLayer: 'fire8/concat',
    });
    // Fewer modules asked than the starting head has copies: all the copies, none dropped.
    expect(deepFires(1, ['fire8', 'fire9'])).toEqual(['fire8', 'fire9']);
    expect(deepFires(3, ['fire8', 'fire9'])).toEqual(['fire7', 'fire8', 'fire9']);
    expect(trainingLayers({ mode: 'deep', initialFires: ['fire7', 'fire8', 'fire9'] }).fires).toEqual([
      'fire7',
      'fire8',
      'fire9',
    ]);
  });

  it('head mode keeps the starting head’s copies frozen, else reads the asked layer (a layer under copies means fire9)', () => {
    expect(trainingLayers({ mode: 'head', initialFires: ['fire8', 'fire9'] })).toEqual({
      fires: ['fire8', 'fire9'],
      trainTrunk: false,
      featureLayer: 'fire7/concat',
    });
    expect(trainingLayers({ mode: 'head', initialFires: [], featureLayer: 'fire5/concat' })).toEqual({
      fires: [],
      trainTrunk: false,
      featureLayer: 'fire5/concat',
    });
    expect(trainingLayers({ mode: 'head', initialFires: [], featureLayer: 'fire7/concat' }).featureLayer).toBe(
      SQUEEZENET_FEATURE_LAYER,
    );
    expect(trainingLayers({ mode: 'head', initialFires: [] }).featureLayer).toBe(SQUEEZENET_FEATURE_LAYER);
  });

  it('names the problem with deep mode off fire9 or a bad module count', () => {
    expect(() => trainingLayers({ mode: 'deep', initialFires: [], featureLayer: 'fire5/concat' })).toThrow(
      /needs a head on fire9, but this head reads 'fire5\/concat'; train it in head mode/,
    );
    expect(() => trainingLayers({ mode: 'deep', initialFires: [], deepModules: 4 })).toThrow(/got 4; valid: 1, 2, 3/);
  });
});

describe('trainedClassifierMetadata: one builder for the CLIs and the app', () => {
  const history: EpochStats[] = [
    {
      phase: 'epoch',
      epoch: 1,
      epochs: 1,
      trainLoss: 0.5,
      trainAccuracy: 0.75,
      valLoss: 0.4,
      valAccuracy: 0.8,
      seconds: 2,
    },
  ];
  const result = (mode: 'head' | 'deep') => ({
    featureLayer: mode === 'deep' ? 'fire7/concat' : SQUEEZENET_FEATURE_LAYER,
    featureShape: (mode === 'deep' ? [13, 13, 384] : [13, 13, 256]) as [number, number, number],
    mode,
    trunk: mode === 'deep' ? ['fire8', 'fire9'] : [],
    fineTuned: mode === 'deep' ? ['fire9'] : [],
    validation: classificationReport(
      ['crack', 'nocrack'],
      ['crack', 'nocrack', 'crack', 'crack', 'nocrack'],
      ['crack', 'nocrack', 'crack', 'nocrack', 'nocrack'],
    ),
    history,
  });
  const identity = {
    ...metadataFor({ weightCount: 705856, featureLayer: SQUEEZENET_FEATURE_LAYER, featureShape: [13, 13, 256] }, [
      'crack',
      'nocrack',
    ]),
    version: 4,
  };
  const optimizer = { learningRate: 2e-4, batchSize: 8, headLearningRateFactor: 10, trunkLearningRateFactor: 0.5 };

  it('points the base at the layer the new head reads and records the run, the trunk and its rate only in deep mode', () => {
    const deep = validateMetadata(
      trainedClassifierMetadata(identity, {
        tool: 'crackcam app',
        data: 'captures',
        result: result('deep'),
        setup: { start: 'base' },
        optimizer,
        epochs: 1,
        views: 2,
        extra: { previousValAccuracy: 0.5 },
        backend: 'wasm',
        seconds: 3,
      }),
    );
    expect(deep).toMatchObject({
      kind: 'classifier',
      version: 4,
      base: { featureLayer: 'fire7/concat', featureShape: [13, 13, 384] },
    });
    expect(deep.training).toMatchObject({
      tool: 'crackcam app',
      data: 'captures',
      mode: 'deep',
      trunk: ['fire8', 'fire9'],
      fineTuned: ['fire9'],
      start: 'base',
      epochs: 1,
      views: 2,
      valAccuracy: 0.8,
      previousValAccuracy: 0.5,
      backend: 'wasm',
      seconds: 3,
    });
    expect(deep.training?.optimizer).toEqual({
      name: 'adam',
      learningRate: 2e-4,
      headLearningRateFactor: 10,
      trunkLearningRateFactor: 0.5,
      batchSize: 8,
    });
    expect(deep.training?.history).toEqual([
      { epoch: 1, epochs: 1, trainLoss: 0.5, trainAccuracy: 0.75, valLoss: 0.4, valAccuracy: 0.8, seconds: 2 },
    ]);
    const head = trainedClassifierMetadata(identity, {
      tool: 'npm run train',
      result: result('head'),
      setup: {},
      optimizer,
      epochs: 1,
      views: 1,
      backend: 'cpu',
      seconds: 1,
    });
    expect(head.training).not.toHaveProperty('trunk');
    expect(head.training).not.toHaveProperty('data');
    expect(head.training?.optimizer).not.toHaveProperty('trunkLearningRateFactor');
  });
});
