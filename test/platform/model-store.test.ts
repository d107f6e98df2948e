/**
 * The model library's loaders (validateModelFiles, loadModelFiles, zip round trip) with a deep-mode
 * model: its head reads fire7 and carries its own fire8 and fire9 copies, on the one shared base cut at fire9.
 * Node, WASM, the real base.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BaseNetwork } from '../../src/core/base';
import { ModelFileError } from '../../src/core/model-io';
import { serializeModel, type ModelFiles } from '../../src/core/model-writer';
import { trainHead, type TrainingSample } from '../../src/core/trainer';
import { decodeImageFile, listImages } from '../../src/cli/node-io';
import { filesFromZip, loadModelFiles, modelToZip, validateModelFiles } from '../../src/platform/model-store';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, metadataFor, sharedBase, useWasm } from '../helpers';

const labels = ['crack', 'nocrack'];

describe.skipIf(!HAVE_SHARED)('model store loaders accept deep-mode models', () => {
  let base: BaseNetwork;
  let files: ModelFiles;
  /** The same head with its metadata copied from a fire9 model (what the app wrote before deep mode). */
  let stale: ModelFiles;
  let photo: string;

  beforeAll(async () => {
    await useWasm();
    base = await sharedBase();
    const pick = async (label: string) => (await listImages(path.join(DATA_DIR, 'concrete', label))).slice(0, 2);
    const crack = await pick('crack');
    const nocrack = await pick('nocrack');
    photo = crack[0];
    const train: TrainingSample[] = [
      ...crack.map((f) => ({ id: f, label: 0, load: () => decodeImageFile(f) })),
      ...nocrack.map((f) => ({ id: f, label: 1, load: () => decodeImageFile(f) })),
    ];
    const r = await trainHead({
      base,
      preprocessing: 'caffe-bgr',
      labels,
      train,
      validation: [],
      mode: 'deep',
      hidden: 4,
      epochs: 1,
      views: 1,
      batchSize: 4,
      seed: 2,
    });
    files = await serializeModel(
      r.head,
      metadataFor(
        { weightCount: base.weightCount, featureLayer: r.featureLayer, featureShape: r.featureShape },
        labels,
      ),
    );
    stale = await serializeModel(r.head, metadataFor(base, labels));
    r.head.dispose();
  });

  it('validates a deep model on the shared fire9 base and reports its fire7 metadata, leaving nothing allocated', async () => {
    expect(base.featureLayer).toBe('fire9/relu_expand3x3');
    await expectNoLeak(async () => {
      const metadata = await validateModelFiles(files, base);
      expect(metadata.base.featureLayer).toBe('fire7/concat');
      expect(metadata.base.featureShape).toEqual([13, 13, 384]);
    });
  });

  it('loads it (also from its exported zip) as a classifier that classifies with a 13x13 map', async () => {
    const image = await decodeImageFile(photo);
    for (const source of [
      files,
      filesFromZip(
        modelToZip({ files, metadata: await validateModelFiles(files, base), origin: 'trained', savedAt: 0 }),
      ),
    ]) {
      await expectNoLeak(async () => {
        const loaded = await loadModelFiles(source, base);
        expect(loaded.kind).toBe('classifier');
        if (loaded.kind !== 'classifier') return;
        const c = loaded.model;
        expect(c.features.outputs[0].shape.slice(1)).toEqual([13, 13, 384]);
        const r = await c.classify(image);
        expect(r.probabilities[0] + r.probabilities[1]).toBeCloseTo(1, 5);
        expect(r.cam).toHaveLength(169);
        expect([r.camHeight, r.camWidth]).toEqual([13, 13]);
        c.dispose();
      });
    }
    image.dispose();
    // The shared base is not disposed with the models.
    expect(tf.tidy(() => (base.model.predict(tf.zeros([1, 227, 227, 3])) as tf.Tensor).shape)).toEqual([
      1, 13, 13, 256,
    ]);
  });

  it('rejects a deep head whose metadata names the base feature layer, saying what does not fit', async () => {
    await expectNoLeak(async () => {
      const error = await validateModelFiles(stale, base).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as Error).message).toMatch(
        /head input shape \[13, 13, 384\] does not match metadata featureShape \[13, 13, 256\]/,
      );
    });
  });
});
