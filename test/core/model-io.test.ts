import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHead } from '../../src/core/classifier';
import { createHead } from '../../src/core/head';
import {
  checkWeightsFinite,
  declaredModelKind,
  layersModelFromArtifacts,
  ModelFileError,
  readLayersArtifacts,
} from '../../src/core/model-io';
import { serializeModel, WEIGHTS_FILE, type ModelFiles } from '../../src/core/model-writer';
import { filesReader, validateModelFiles } from '../../src/platform/model-store';
import { expectNoLeak, HAVE_SHARED, metadataFor, randomHeadFiles, sharedBase, useWasm } from '../helpers';

const FEATURES: [number, number, number] = [13, 13, 256];

/** The manifest's weights in order, with their byte offsets in weights.bin (all float32 here). */
function weightOffsets(files: ModelFiles): { name: string; offset: number }[] {
  const json = JSON.parse(new TextDecoder().decode(files['model.json'])) as tf.io.ModelJSON;
  let offset = 0;
  return json.weightsManifest[0].weights.map((w) => {
    const at = { name: w.name, offset };
    offset += w.shape.reduce((a, b) => a * b, 1) * 4;
    return at;
  });
}

/** A copy of the files with `value` written into the `index`-th weight of the manifest, at element `element`. */
function withWeightValue(
  files: ModelFiles,
  index: number,
  element: number,
  value: number,
): { files: ModelFiles; name: string } {
  const { name, offset } = weightOffsets(files)[index];
  const weights = files[WEIGHTS_FILE].slice();
  new DataView(weights.buffer).setFloat32(offset + element * 4, value, true);
  return { files: { ...files, [WEIGHTS_FILE]: weights }, name };
}

describe('weights must be finite', () => {
  beforeAll(useWasm);

  it('loadHead refuses NaN weights, naming the file and the weight, and leaks nothing', async () => {
    const { files, name } = withWeightValue(await randomHeadFiles(FEATURES, ['crack', 'nocrack']), 0, 2, NaN);
    await expectNoLeak(async () => {
      await expect(loadHead(filesReader(files), 'model:model.json')).rejects.toThrow(
        new RegExp(`model:model\\.json: weight '${name}' holds NaN at index 2 \\(1 of \\d+ values are not finite\\)`),
      );
    });
  });

  it('layersModelFromArtifacts refuses infinite weights with a ModelFileError', async () => {
    const { files, name } = withWeightValue(await randomHeadFiles(FEATURES, ['crack', 'nocrack']), 1, 0, -Infinity);
    const { artifacts } = await readLayersArtifacts(filesReader(files), 'model:model.json');
    await expectNoLeak(async () => {
      const error = await layersModelFromArtifacts('m.json', artifacts).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as Error).message).toContain(`m.json: weight '${name}' holds -Infinity at index 0`);
    });
  });

  it('checkWeightsFinite passes finite weights and leaks nothing', async () => {
    const files = await randomHeadFiles(FEATURES, ['crack', 'nocrack']);
    const { artifacts } = await readLayersArtifacts(filesReader(files), 'model:model.json');
    await expectNoLeak(() =>
      checkWeightsFinite('m.json', artifacts.weightSpecs ?? [], artifacts.weightData as ArrayBuffer),
    );
  });

  it('serializeModel refuses a head whose weights are NaN (a diverged training cannot be saved)', async () => {
    const head = createHead(FEATURES, 2);
    const kernel = head.getWeights()[0];
    head.setWeights([tf.fill(kernel.shape, NaN), ...head.getWeights().slice(1)]);
    await expect(
      serializeModel(
        head,
        metadataFor({ weightCount: 705856, featureLayer: 'fire9/relu_expand3x3', featureShape: FEATURES }, [
          'crack',
          'nocrack',
        ]),
      ),
    ).rejects.toThrow(/model 'test': weight '.+' holds NaN at index 0/);
    head.dispose();
  });

  it.skipIf(!HAVE_SHARED)("the app's import (validateModelFiles) refuses NaN weights with the same error", async () => {
    const base = await sharedBase();
    const { files, name } = withWeightValue(await randomHeadFiles(base.featureShape, ['crack', 'nocrack']), 0, 5, NaN);
    await expectNoLeak(async () => {
      await expect(validateModelFiles(files, base)).rejects.toThrow(`weight '${name}' holds NaN at index 5`);
    });
    // The same files with finite weights are accepted.
    await expect(
      validateModelFiles(await randomHeadFiles(base.featureShape, ['crack', 'nocrack']), base),
    ).resolves.toMatchObject({ kind: 'classifier' });
  });
});

describe('declaredModelKind', () => {
  it("reads the CrackCam metadata's kind and nothing else", () => {
    expect(declaredModelKind({ userDefinedMetadata: { crackcam: { kind: 'oneclass' } } })).toBe('oneclass');
    expect(declaredModelKind({ userDefinedMetadata: { crackcam: { kind: 'classifier' } } })).toBe('classifier');
    expect(declaredModelKind({ modelTopology: {} })).toBeUndefined();
    expect(declaredModelKind(null)).toBeUndefined();
    expect(declaredModelKind({ userDefinedMetadata: { crackcam: { kind: 3 } } })).toBeUndefined();
  });
});
