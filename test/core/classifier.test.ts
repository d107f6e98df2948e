import * as tf from '@tensorflow/tfjs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCrackClassifier, type CrackClassifier } from '../../src/core/classifier';
import { ModelFileError } from '../../src/core/model-io';
import { decodeImageFile, fsReader, listImages } from '../../src/cli/node-io';
import { createHead } from '../../src/core/head';
import { serializeModel } from '../../src/core/model-writer';
import {
  BASE_JSON,
  DATA_DIR,
  expectNoLeak,
  HAVE_SHARED,
  metadataFor,
  randomHeadFiles,
  sharedBase,
  useWasm,
  writeModelDir,
} from '../helpers';

beforeAll(useWasm);

describe.skipIf(!HAVE_SHARED)('loadCrackClassifier on the real base', () => {
  let classifier: CrackClassifier;
  beforeAll(async () => {
    const base = await sharedBase();
    const modelJson = await writeModelDir(await randomHeadFiles(base.featureShape, ['crack', 'nocrack']));
    classifier = await loadCrackClassifier({ reader: fsReader, modelJson, base });
  });

  it('runs at 227x227 with a 13x13x256 feature map', () => {
    expect(classifier.inputSize).toBe(227);
    expect(classifier.base.featureShape).toEqual([13, 13, 256]);
    expect(classifier.base.model.inputs[0].shape).toEqual([null, 227, 227, 3]);
  });

  it('classifies a tensor, pixel data of any size, and returns probabilities and a [0,1] map', async () => {
    const img = await decodeImageFile((await listImages(path.join(DATA_DIR, 'concrete/crack')))[0]);
    const r = await classifier.classify(img);
    expect(r.probabilities).toHaveLength(2);
    expect(r.probabilities[0] + r.probabilities[1]).toBeCloseTo(1, 5);
    expect(r.label).toBe(r.labels[r.classIndex]);
    expect(r.camClassIndex).toBe(r.classIndex);
    expect(r.cam).toHaveLength(169);
    expect([r.camHeight, r.camWidth]).toEqual([13, 13]);
    expect(Math.min(...r.cam)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.cam)).toBeLessThanOrEqual(1);
    // Same photo as PixelData inside a wider frame: the centre square is the photo itself.
    const wide = tf.tidy(() =>
      tf.concat(
        [
          tf.pad(img, [
            [0, 0],
            [40, 40],
            [0, 0],
          ]),
          tf.fill([227, 307, 1], 255, 'int32'),
        ],
        2,
      ),
    ); // RGBA
    const pixels = { data: new Uint8Array(await wide.data()), width: 307, height: 227 };
    const r2 = await classifier.classify(pixels);
    expect(Math.abs(r2.probabilities[0] - r.probabilities[0])).toBeLessThan(1e-4);
    const byLabel = await classifier.classify(img, { camClass: 'nocrack' });
    expect(byLabel.camClassIndex).toBe(1);
    expect(img.isDisposed).toBe(false);
    tf.dispose([img, wide]);
  });

  it('prepares RGBA pixels as their RGB tensor (alpha ignored) and rejects pixels of the wrong size', async () => {
    const rgba = new Uint8ClampedArray(40 * 30 * 4).map((_, i) => (i * 37 + (i >> 7)) % 256);
    const rgb = tf.tensor3d(Int32Array.from(rgba.filter((_, i) => i % 4 !== 3)), [30, 40, 3], 'int32');
    const viaPixels = classifier.prepare({ data: rgba, width: 40, height: 30 }, 0.8);
    const viaTensor = classifier.prepare(rgb, 0.8);
    expect(viaPixels.shape).toEqual([1, 227, 227, 3]);
    expect(tf.max(tf.abs(tf.sub(viaPixels, viaTensor))).dataSync()[0]).toBe(0);
    tf.dispose([rgb, viaPixels, viaTensor]);
    expect(() => classifier.prepare({ data: rgba, width: 41, height: 30 })).toThrow(
      /expected 4920 RGBA bytes for 41x30, got 4800/,
    );
    expect(() => classifier.prepare('frame.png' as never)).toThrow(
      /tensor or RGBA pixels \{ width, height, data \}, got frame\.png/,
    );
    await expectNoLeak(() => classifier.prepare({ data: rgba, width: 40, height: 30 }).dispose());
  });

  it('rejects an unknown camClass naming the valid ones', async () => {
    const img = tf.zeros([227, 227, 3]) as tf.Tensor3D;
    await expect(classifier.classify(img, { camClass: 'spalling' })).rejects.toThrow(/crack, nocrack/);
    await expect(classifier.classify(img, { camScore: 'prob' as never })).rejects.toThrow(/softmax, logit/);
    img.dispose();
  });

  it('leaks no tensors in classify, classifyBatch and prepare', async () => {
    const img = tf.randomUniform([300, 400, 3], 0, 255, 'int32') as tf.Tensor3D;
    await classifier.classify(img);
    await expectNoLeak(() => classifier.classify(img));
    await expectNoLeak(() =>
      classifier.classify(img, { camClass: 1, camScore: 'logit', relu: false, cropFraction: 0.5 }),
    );
    await expectNoLeak(() => {
      const input = classifier.prepare(img);
      const r = classifier.classifyBatch(input);
      tf.dispose([input, r.probabilities, r.camClass, r.cam]);
    });
    img.dispose();
  });

  it('loads and disposes its own base without leaking', async () => {
    const base = await sharedBase();
    const modelJson = await writeModelDir(await randomHeadFiles(base.featureShape, ['crack', 'nocrack']));
    await expectNoLeak(async () => {
      const c = await loadCrackClassifier({ reader: fsReader, modelJson, base: BASE_JSON });
      c.dispose();
    });
  });
});

describe.skipIf(!HAVE_SHARED)('bad model files give an error naming the file and the problem', () => {
  const labels = ['crack', 'nocrack'];
  async function goodDir(): Promise<string> {
    const base = await sharedBase();
    return path.dirname(await writeModelDir(await randomHeadFiles(base.featureShape, labels)));
  }
  async function expectLoadError(modelJson: string, problem: RegExp, file = modelJson): Promise<void> {
    const base = await sharedBase();
    const before = tf.memory().numTensors;
    const err = await loadCrackClassifier({ reader: fsReader, modelJson, base }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).file).toBe(file);
    expect((err as Error).message).toMatch(problem);
    expect(tf.memory().numTensors).toBe(before);
  }

  it('model.json that is not JSON', async () => {
    const dir = await goodDir();
    await writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
    await expectLoadError(path.join(dir, 'model.json'), /not valid JSON/);
  });
  it('JSON that is not a model', async () => {
    const dir = await goodDir();
    await writeFile(path.join(dir, 'model.json'), '[1, 2]');
    await expectLoadError(path.join(dir, 'model.json'), /not a TF.js model.json/);
  });
  it('missing model.json', async () => {
    const dir = await goodDir();
    await expectLoadError(path.join(dir, 'nope.json'), /could not be read/);
  });
  it('missing weight shard', async () => {
    const dir = await goodDir();
    await rm(path.join(dir, 'weights.bin'));
    await expectLoadError(
      path.join(dir, 'model.json'),
      /weight shard 'weights.bin'.*could not be read/,
      path.join(dir, 'weights.bin'),
    );
  });
  it('truncated weight shard', async () => {
    const dir = await goodDir();
    const bytes = await readFile(path.join(dir, 'weights.bin'));
    await writeFile(path.join(dir, 'weights.bin'), bytes.subarray(0, bytes.length - 8));
    await expectLoadError(path.join(dir, 'model.json'), /truncated or mismatched/, path.join(dir, 'weights.bin'));
  });
  it('metadata listing a different number of classes than the head has', async () => {
    const dir = await goodDir();
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    json.userDefinedMetadata.crackcam.labels = ['crack', 'nocrack', 'spalling'];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await expectLoadError(path.join(dir, 'model.json'), /head outputs 2 classes but metadata lists 3 labels/);
  });
  it('weights whose shapes do not fit the topology', async () => {
    const dir = await goodDir();
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    // Declare the kernel as [1, 1, 128, 4]: same byte count, wrong shape.
    json.weightsManifest[0].weights[0].shape = [1, 1, 128, 4];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await expectLoadError(path.join(dir, 'model.json'), /does not form a valid model/);
  });
  it('a head for a different feature map', async () => {
    const files = await randomHeadFiles([13, 13, 128], labels);
    await expectLoadError(
      await writeModelDir(files),
      /was trained on base .* features \[13, 13, 256\], model expects \[13, 13, 128\]|head input shape/,
    );
  });
  it('metadata naming a fine layer for a head without a fine head, and the reverse', async () => {
    const base = await sharedBase();
    const metadata = (fine?: { fineLayer: string; fineShape: [number, number, number] }) => ({
      ...metadataFor(base, labels),
      base: { ...metadataFor(base, labels).base, ...fine },
    });
    const plain = createHead(base.featureShape, 2);
    const claimsFine = await serializeModel(plain, metadata({ fineLayer: 'fire3/concat', fineShape: [56, 56, 128] }));
    plain.dispose();
    await expectLoadError(
      await writeModelDir(claimsFine),
      /head has 1 inputs and 1 outputs; metadata names a fine layer: expected 2 and 2/,
    );
    const withFine = createHead(base.featureShape, 2, { fine: [56, 56, 128] });
    const silent = await serializeModel(withFine, metadata());
    const wrongShape = await serializeModel(
      withFine,
      metadata({ fineLayer: 'fire3/concat', fineShape: [27, 27, 256] }),
    );
    const wrongLayer = await serializeModel(
      withFine,
      metadata({ fineLayer: 'fire2/concat', fineShape: [56, 56, 128] }),
    );
    const missingLayer = await serializeModel(
      withFine,
      metadata({ fineLayer: 'fire99/concat', fineShape: [56, 56, 128] }),
    );
    withFine.dispose();
    await expectLoadError(
      await writeModelDir(silent),
      /head has 2 inputs and 2 outputs; metadata names no fine layer: expected 1 and 1/,
    );
    await expectLoadError(
      await writeModelDir(wrongShape),
      /head fine input shape \[56, 56, 128\] does not match metadata fineShape \[27, 27, 256\]/,
    );
    // fire2's output is [56, 56, 128] too: same shape, a different layer, so only the name can tell; it loads.
    const ok = await loadCrackClassifier({ reader: fsReader, modelJson: await writeModelDir(wrongLayer), base });
    ok.dispose();
    await expectLoadError(
      await writeModelDir(missingLayer),
      /has no feature layer 'fire9\/relu_expand3x3' or fine layer 'fire99\/concat'/,
    );
  });
  it('a head trained on another base', async () => {
    const base = await sharedBase();
    const files = await randomHeadFiles(base.featureShape, labels, {
      weightCount: 1234,
      featureLayer: base.featureLayer,
    });
    await expectLoadError(await writeModelDir(files), /705856 weights, model expects 1234/);
  });
  it('missing CrackCam metadata', async () => {
    const dir = await goodDir();
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    delete json.userDefinedMetadata;
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await expectLoadError(path.join(dir, 'model.json'), /missing "userDefinedMetadata.crackcam"/);
  });
  it('an invalid base model is named too', async () => {
    const dir = await goodDir();
    await writeFile(path.join(dir, 'base.json'), 'not json');
    const modelJson = path.join(dir, 'model.json');
    const err = await loadCrackClassifier({ reader: fsReader, modelJson, base: path.join(dir, 'base.json') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toContain(path.join(dir, 'base.json'));
  });
  it('an aborted load rejects and leaves nothing allocated', async () => {
    const dir = await goodDir();
    const controller = new AbortController();
    controller.abort();
    await expectNoLeak(async () => {
      await expect(
        loadCrackClassifier({
          reader: fsReader,
          modelJson: path.join(dir, 'model.json'),
          base: BASE_JSON,
          signal: controller.signal,
        }),
      ).rejects.toThrow(/abort/i);
    });
  });
});
