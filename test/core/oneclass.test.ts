import * as tf from '@tensorflow/tfjs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BaseNetwork } from '../../src/core/base';
import { METADATA_KEY } from '../../src/core/metadata';
import { ModelFileError } from '../../src/core/model-io';
import {
  createOneClassModel,
  createOneClassScorer,
  loadOneClassModel,
  oneClassMetadata,
  serializeOneClassModel,
  trainOneClass,
  validateOneClassInfo,
  WHITEN_LAYER,
  type OneClassModel,
  type OneClassSample,
  type OneClassTrainingResult,
} from '../../src/core/oneclass';
import { auroc, quantile } from '../../src/core/oneclass-linalg';
import { decodeImageFile, fsReader, listImages } from '../../src/cli/node-io';
import {
  BASE_JSON,
  DATA_DIR,
  expectNoLeak,
  HAVE_SHARED,
  randomHeadFiles,
  sharedBase,
  useWasm,
  writeModelDir,
} from '../helpers';

beforeAll(useWasm);

const samples = (files: readonly string[]): OneClassSample[] =>
  files.map((f) => ({ id: path.basename(f), load: () => decodeImageFile(f) }));

/** Scores of image files with a model (one batch). */
async function scoresOf(model: OneClassModel, files: readonly string[]): Promise<Float32Array> {
  const inputs: tf.Tensor4D[] = [];
  for (const f of files) {
    const img = await decodeImageFile(f);
    inputs.push(model.prepare(img));
    img.dispose();
  }
  const score = tf.tidy(() => {
    const r = model.scoreBatch(tf.concat(inputs) as tf.Tensor4D);
    r.heatmap.dispose();
    return r.score;
  });
  tf.dispose(inputs);
  const out = (await score.data()) as Float32Array;
  score.dispose();
  return out;
}

describe.skipIf(!HAVE_SHARED)('one-class model on the real base', () => {
  let base: BaseNetwork;
  let normal: string[];
  let result: OneClassTrainingResult;
  let model: OneClassModel;
  let files: Record<string, Uint8Array>;

  beforeAll(async () => {
    base = await sharedBase();
    normal = (await listImages(path.join(DATA_DIR, 'brick/nocrack'))).slice(0, 6);
    result = await trainOneClass({
      base,
      preprocessing: 'caffe-bgr',
      train: samples(normal),
      folds: 3,
      topK: 5,
      seed: 1,
    });
    const metadata = oneClassMetadata(result, base, { name: 'test-oneclass', preprocessing: 'caffe-bgr' });
    // Serialise before handing the scorer over (the model owns it afterwards).
    files = await serializeOneClassModel(result.scorer, metadata);
    model = createOneClassModel({ base, scorer: result.scorer, metadata });
  });

  it('trains a 13x13 anomaly grid on fire5 + fire7 (640 channels) with a cross-validated threshold', () => {
    expect(result.info.method).toBe('patch-gaussian');
    expect(result.info.featureLayers).toEqual(['fire5/concat', 'fire7/concat']);
    expect(result.info.grid).toEqual([13, 13]);
    expect(result.scorer.inputs.map((i) => i.shape)).toEqual([
      [null, 27, 27, 256],
      [null, 13, 13, 384],
    ]);
    expect(result.scorer.outputs[0].shape).toEqual([null, 13, 13, 640]);
    expect(result.heldOutScores).toHaveLength(6);
    expect(result.heldOutScores.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
    expect(result.info.threshold).toBeCloseTo(quantile(result.heldOutScores, 0.95), 6);
    expect(result.info.heatmapRange[1]).toBeGreaterThan(result.info.heatmapRange[0]);
    expect(result.info.shrinkage).toBeGreaterThan(0);
    expect(result.info.shrinkage).toBeLessThanOrEqual(1);
    expect(result.deepestLayer).toBe('fire7/concat');
    expect(result.deepestShape).toEqual([13, 13, 384]);
    expect(() => validateOneClassInfo(result.info)).not.toThrow();
  });

  it('scoreBatch gives a score [n] and a heatmap [n, 13, 13] in [0, 1]', async () => {
    const input = tf.tidy(
      () =>
        tf.concat([
          model.prepare(tf.randomUniform([300, 400, 3], 0, 255, 'int32', 4) as tf.Tensor3D),
          model.prepare(tf.zeros([227, 227, 3]) as tf.Tensor3D),
        ]) as tf.Tensor4D,
    );
    const r = model.scoreBatch(input);
    expect(r.score.shape).toEqual([2]);
    expect(r.heatmap.shape).toEqual([2, 13, 13]);
    const h = await r.heatmap.data();
    expect(Math.min(...h)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...h)).toBeLessThanOrEqual(1);
    // Random noise and a black frame are far from brick: both above the threshold, heatmap lit.
    const s = await r.score.data();
    expect(Math.min(...s)).toBeGreaterThan(model.threshold);
    expect(Math.max(...h)).toBeCloseTo(1, 2);
    tf.dispose([input, r.score, r.heatmap]);
  });

  it('scoreFeatures on caller-computed feature maps equals scoreBatch', async () => {
    const img = await decodeImageFile(normal[0]);
    const input = model.prepare(img);
    const features = tf.model({
      inputs: base.model.inputs,
      outputs: ['fire5/concat', 'fire7/concat'].map((l) => base.model.getLayer(l).output as tf.SymbolicTensor),
    });
    const maps = features.predict(input) as tf.Tensor4D[];
    const a = model.scoreFeatures(maps);
    const b = model.scoreBatch(input);
    expect((await a.score.data())[0]).toBeCloseTo((await b.score.data())[0], 2);
    expect(() => model.scoreFeatures([maps[0]])).toThrow(/needs 2 feature maps \(fire5\/concat, fire7\/concat\)/);
    tf.dispose([img, input, ...maps, a.score, a.heatmap, b.score, b.heatmap]);
  });

  it('detect reads back score, verdict and a 13x13 map; the threshold can be overridden', async () => {
    const img = await decodeImageFile(normal[1]);
    const r = await model.detect(img);
    expect(r.heatmap).toHaveLength(169);
    expect([r.heatmapHeight, r.heatmapWidth]).toEqual([13, 13]);
    expect(r.threshold).toBe(model.threshold);
    expect(r.anomalous).toBe(r.score > r.threshold);
    expect(r.label).toBe(r.anomalous ? 'anomaly' : 'normal');
    expect(r.ratio).toBeCloseTo(r.score / r.threshold, 6);
    const low = await model.detect(img, { threshold: r.score / 2 });
    expect(low.anomalous).toBe(true);
    await expect(model.detect(img, { threshold: -1 })).rejects.toThrow(/positive/);
    expect(img.isDisposed).toBe(false);
    img.dispose();
  });

  it('round-trips through model.json + weights.bin: the reloaded model gives the same scores, on a shared or its own base', async () => {
    const modelJson = await writeModelDir(files);
    const json = JSON.parse(await readFile(modelJson, 'utf8')) as {
      userDefinedMetadata: Record<string, { kind: string; oneClass: unknown }>;
      format: string;
    };
    expect(json.format).toBe('layers-model');
    expect(json.userDefinedMetadata[METADATA_KEY].kind).toBe('oneclass');
    const test = (await listImages(path.join(DATA_DIR, 'brick/crack'))).slice(0, 2).concat(normal.slice(4));
    const want = await scoresOf(model, test);
    const shared = await loadOneClassModel({ reader: fsReader, modelJson, base });
    expect(shared.info).toEqual(result.info);
    const got = await scoresOf(shared, test);
    got.forEach((v, i) => expect(Math.abs(v - want[i]) / want[i]).toBeLessThan(1e-5));
    shared.dispose();
    expect(base.model.getLayer('fire5/concat')).toBeDefined(); // the shared base survives
    const own = await loadOneClassModel({ reader: fsReader, modelJson, base: BASE_JSON });
    expect(own.base.featureLayer).toBe('fire7/concat'); // cut where the scorer needs it
    const got2 = await scoresOf(own, test);
    got2.forEach((v, i) => expect(Math.abs(v - want[i]) / want[i]).toBeLessThan(1e-4));
    own.dispose();
  });

  it('leaks no tensors in prepare, scoreBatch, scoreFeatures, detect, load/dispose, create/dispose and training', async () => {
    const img = tf.randomUniform([240, 320, 3], 0, 255, 'int32') as tf.Tensor3D;
    await model.detect(img); // warm-up
    await expectNoLeak(() => model.detect(img, { cropFraction: 0.5 }));
    await expectNoLeak(() => {
      const input = model.prepare(img);
      const r = model.scoreBatch(input);
      tf.dispose([input, r.score, r.heatmap]);
    });
    await expectNoLeak(() => {
      const maps = [tf.zeros([1, 27, 27, 256]), tf.zeros([1, 13, 13, 384])] as tf.Tensor4D[];
      const r = model.scoreFeatures(maps);
      tf.dispose([...maps, r.score, r.heatmap]);
    });
    const modelJson = await writeModelDir(files);
    await expectNoLeak(async () => (await loadOneClassModel({ reader: fsReader, modelJson, base })).dispose());
    await expectNoLeak(async () =>
      (await loadOneClassModel({ reader: fsReader, modelJson, base: BASE_JSON })).dispose(),
    );
    await expectNoLeak(async () => {
      const r = await trainOneClass({
        base,
        preprocessing: 'caffe-bgr',
        train: samples(normal.slice(0, 3)),
        views: 3,
        folds: 3,
      });
      const m = createOneClassModel({
        base,
        scorer: r.scorer,
        metadata: oneClassMetadata(r, base, { name: 't', preprocessing: 'caffe-bgr' }),
      });
      m.dispose();
    });
    await expectNoLeak(async () => {
      const r = await trainOneClass({
        base,
        preprocessing: 'caffe-bgr',
        train: samples(normal.slice(0, 3)),
        method: 'pooled-gaussian',
        featureLayers: ['fire9/relu_expand3x3'],
        views: 1,
        folds: 3,
      });
      r.scorer.dispose();
    });
    const aborted = new AbortController();
    aborted.abort();
    await expectNoLeak(() =>
      expect(
        trainOneClass({ base, preprocessing: 'caffe-bgr', train: samples(normal), signal: aborted.signal }),
      ).rejects.toThrow(),
    );
    img.dispose();
  });

  it('rejects bad training options, naming the valid values', async () => {
    const train = samples(normal.slice(0, 3));
    const go = (o: object) => trainOneClass({ base, preprocessing: 'caffe-bgr', train, ...o });
    await expect(go({ method: 'svm' })).rejects.toThrow(/valid: patch-gaussian, pooled-gaussian/);
    await expect(go({ train: train.slice(0, 2) })).rejects.toThrow(/at least 3/);
    await expect(go({ topK: 0 })).rejects.toThrow(/1\.\.169/);
    await expect(go({ falseAlarmRate: 1 })).rejects.toThrow(/\(0, 1\)/);
    await expect(go({ featureLayers: ['fire7/concat', 'fire5/concat'] })).rejects.toThrow(/network order/);
    await expect(go({ featureLayers: ['fire5/nope'] })).rejects.toThrow(/no layer 'fire5\/nope'/);
    await expect(go({ featureLayers: ['fire2/concat', 'fire7/concat'] })).rejects.toThrow(
      /'fire2\/concat' is 56x56; it must be 13x13 or pool to it/,
    );
  });
});

describe.skipIf(!HAVE_SHARED)('bad one-class files give a ModelFileError naming the file', () => {
  let base: BaseNetwork;
  let good: Record<string, Uint8Array>;
  beforeAll(async () => {
    base = await sharedBase();
    const r = await trainOneClass({
      base,
      preprocessing: 'caffe-bgr',
      train: samples((await listImages(path.join(DATA_DIR, 'brick/nocrack'))).slice(0, 3)),
      views: 1,
      folds: 3,
    });
    good = await serializeOneClassModel(
      r.scorer,
      oneClassMetadata(r, base, { name: 'bad-file-tests', preprocessing: 'caffe-bgr' }),
    );
    r.scorer.dispose();
  });

  /** Writes `good` with the metadata changed by `edit`, returns the model.json path. */
  async function withMetadata(edit: (m: Record<string, unknown>) => void): Promise<string> {
    const json = JSON.parse(new TextDecoder().decode(good['model.json'])) as {
      userDefinedMetadata: Record<string, Record<string, unknown>>;
    };
    edit(json.userDefinedMetadata[METADATA_KEY]);
    return writeModelDir({ ...good, 'model.json': new TextEncoder().encode(JSON.stringify(json)) });
  }

  async function expectFileError(modelJson: string, message: RegExp, file = modelJson): Promise<void> {
    const before = tf.memory().numTensors;
    const err = await loadOneClassModel({ reader: fsReader, modelJson, base }).then(
      (m) => {
        m.dispose();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).file).toBe(file);
    expect((err as Error).message).toMatch(message);
    expect(tf.memory().numTensors).toBe(before);
  }

  it('a classifier file', async () => {
    const modelJson = await writeModelDir(await randomHeadFiles(base.featureShape, ['crack', 'nocrack']));
    await expectFileError(modelJson, /is a 'classifier' model; expected kind 'oneclass'/);
  });

  it('metadata without a oneClass section, or with invalid fields', async () => {
    await expectFileError(await withMetadata((m) => delete m.oneClass), /no "oneClass" section/);
    await expectFileError(
      await withMetadata((m) => ((m.oneClass as Record<string, unknown>).method = 'svm')),
      /oneClass.method.*patch-gaussian, pooled-gaussian/,
    );
    await expectFileError(
      await withMetadata((m) => ((m.oneClass as Record<string, unknown>).topK = 500)),
      /oneClass.topK.*1\.\.169/,
    );
    await expectFileError(
      await withMetadata((m) => ((m.oneClass as Record<string, unknown>).heatmapRange = [5, 1])),
      /heatmapRange/,
    );
    await expectFileError(
      await withMetadata((m) => ((m.oneClass as Record<string, unknown>).threshold = 'high')),
      /oneClass.threshold/,
    );
  });

  it('feature layers that do not fit the scorer or the base', async () => {
    await expectFileError(
      await withMetadata((m) => ((m.oneClass as Record<string, unknown>).featureLayers = ['fire7/concat'])),
      /2 inputs but metadata lists 1/,
    );
    await expectFileError(
      await withMetadata(
        (m) => ((m.oneClass as Record<string, unknown>).featureLayers = ['fire4/concat', 'fire8/concat']),
      ),
      /layer 'fire8\/concat' is \[13, 13, 512\], model expects \[13, 13, 384\]/,
    );
    await expectFileError(
      await withMetadata((m) => ((m.base as Record<string, unknown>).weightCount = 12)),
      /weights, model expects 12/,
    );
  });

  it('truncated or missing weights, and a file that is not JSON', async () => {
    const dir = path.dirname(await writeModelDir(good));
    await writeFile(path.join(dir, 'weights.bin'), good['weights.bin'].slice(0, 100));
    await expectFileError(path.join(dir, 'model.json'), /truncated or mismatched/, path.join(dir, 'weights.bin'));
    await rm(path.join(dir, 'weights.bin'));
    await expectFileError(path.join(dir, 'model.json'), /weight shard 'weights.bin'/, path.join(dir, 'weights.bin'));
    const notJson = await writeModelDir({ 'model.json': new TextEncoder().encode('{"modelTopology": ') });
    await expectFileError(notJson, /not valid JSON/);
  });

  it('a scorer without the whitening layer', async () => {
    const scorer = createOneClassScorer(['fire7/concat'], [[13, 13, 384]], [13, 13]);
    const renamed = tf.model({ inputs: scorer.inputs, outputs: scorer.inputs[0] as tf.SymbolicTensor });
    const json = JSON.parse(new TextDecoder().decode(good['model.json'])) as {
      userDefinedMetadata: Record<string, Record<string, unknown>>;
    };
    const meta = json.userDefinedMetadata[METADATA_KEY] as unknown as Parameters<typeof serializeOneClassModel>[1];
    meta.oneClass = { ...meta.oneClass!, featureLayers: ['fire7/concat'] };
    const modelJson = await writeModelDir(await serializeOneClassModel(renamed, meta));
    scorer.dispose();
    await expectFileError(modelJson, new RegExp(`no '${WHITEN_LAYER}' layer`));
  });

  it('a bad configuration names the valid range', async () => {
    const modelJson = await writeModelDir(good);
    await expect(loadOneClassModel({ reader: fsReader, modelJson, base, cropFraction: 0 })).rejects.toThrow(
      /cropFraction must be in \(0, 1\]/,
    );
  });
});

describe.skipIf(!HAVE_SHARED)('real data: crack photos score higher than held-out sound surface', () => {
  // Honest and able to fail: fit on 12 sound-surface photos of each set, score 10 held-out sound
  // and 10 crack photos never seen in training.
  for (const set of ['brick', 'concrete']) {
    it(`${set}: mean crack score > mean normal score, AUROC > 0.8`, async () => {
      const base = await sharedBase();
      const normal = await listImages(path.join(DATA_DIR, set, 'nocrack'));
      const crack = await listImages(path.join(DATA_DIR, set, 'crack'));
      const r = await trainOneClass({
        base,
        preprocessing: 'caffe-bgr',
        train: samples(normal.slice(0, 12)),
        folds: 4,
      });
      const model = createOneClassModel({
        base,
        scorer: r.scorer,
        metadata: oneClassMetadata(r, base, { name: set, preprocessing: 'caffe-bgr' }),
      });
      const heldNormal = Array.from(await scoresOf(model, normal.slice(-10)));
      const heldCrack = Array.from(await scoresOf(model, crack.slice(-10)));
      model.dispose();
      const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
      expect(mean(heldCrack)).toBeGreaterThan(mean(heldNormal));
      const a = auroc([...heldNormal, ...heldCrack], [...heldNormal.map(() => false), ...heldCrack.map(() => true)]);
      expect(a).toBeGreaterThan(0.8);
    });
  }
});
