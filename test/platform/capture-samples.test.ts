import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCrackClassifier, type CrackClassifier } from '../../src/core/classifier';
import { decodeImageFile, DEFAULT_MODEL, listImages } from '../../src/cli/node-io';
import { predictSamples } from '../../src/platform/capture-samples';
import { filesReader } from '../../src/platform/model-store';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, sharedBase, useWasm } from '../helpers';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

describe.skipIf(!HAVE_SHARED || !existsSync(DEFAULT_MODEL))(
  'predictSamples (old model on the validation captures)',
  () => {
    let classifier: CrackClassifier;
    let photos: string[];
    beforeAll(async () => {
      await useWasm();
      // Loaded through the in-memory reader the app uses for stored models.
      const dir = path.dirname(DEFAULT_MODEL);
      const files = {
        'model.json': new Uint8Array(readFileSync(path.join(dir, 'model.json'))),
        'weights.bin': new Uint8Array(readFileSync(path.join(dir, 'weights.bin'))),
      };
      classifier = await loadCrackClassifier({
        reader: filesReader(files),
        modelJson: 'model:model.json',
        base: await sharedBase(),
      });
      photos = [
        ...(await listImages(path.join(DATA_DIR, 'brick', 'crack'))).slice(0, 3),
        ...(await listImages(path.join(DATA_DIR, 'brick', 'nocrack'))).slice(0, 3),
      ];
    });

    it('predicts in batches what classify() predicts, and frees every tensor', async () => {
      const samples = photos.map((p, i) => ({ id: p, label: i < 3 ? 0 : 1, load: () => decodeImageFile(p) }));
      let predicted: string[] = [];
      await expectNoLeak(async () => {
        predicted = await predictSamples(classifier, samples, 4);
      });
      const one: string[] = [];
      for (const p of photos) {
        const img = await decodeImageFile(p);
        one.push((await classifier.classify(img)).label);
        img.dispose();
      }
      expect(predicted).toEqual(one);
      expect(tf.getBackend()).toBe('wasm');
    });

    it('stops on an aborted signal', async () => {
      const abort = new AbortController();
      abort.abort();
      await expect(
        predictSamples(classifier, [{ label: 0, load: () => decodeImageFile(photos[0]) }], 4, abort.signal),
      ).rejects.toThrow();
    });
  },
);
