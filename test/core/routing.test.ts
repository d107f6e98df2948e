import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, decodeImageFile, fsReader, listImages } from '../../src/cli/node-io';
import { adaptedNovelty } from '../../src/core/adapted-novelty';
import type { BaseNetwork } from '../../src/core/base';
import { loadCrackClassifier, loadHead, type CrackClassifier } from '../../src/core/classifier';
import {
  CLASSIFIER_LAYER,
  createHead,
  FINE_LAYER,
  fireFromBase,
  growHead,
  HIDDEN_LAYER,
  setLinearHead,
  trunkExpandLayer,
  trunkSqueezeLayer,
} from '../../src/core/head';
import type { ModelMetadata } from '../../src/core/metadata';
import type { RoutingInfo } from '../../src/core/routing-info';
import { layersModelFromArtifacts, ModelFileError } from '../../src/core/model-io';
import { modelArtifacts, serializeModel } from '../../src/core/model-writer';
import { createNoveltyModel, poolFeatures, type NoveltyInfo } from '../../src/core/novelty';
import type { GroupedSample } from '../../src/core/reliability-fit';
import { routingFor, uncoveredSiteGroups } from '../../src/core/routing';
import { fitSiteRouter, storedRouter } from '../../src/core/site-router';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, sharedBase, useWasm, writeModelDir } from '../helpers';

/** A copy of a head (new weights, same values). */
async function copyOf(head: tf.LayersModel): Promise<tf.LayersModel> {
  return layersModelFromArtifacts('copy', await modelArtifacts(head));
}

/** Scales a layer's weights (kernel and bias) by `factor`, e.g. -1 to swap a two-class head's answers. */
function scaleLayer(head: tf.LayersModel, name: string, factor: number): void {
  const layer = head.getLayer(name);
  tf.tidy(() => layer.setWeights(layer.getWeights().map((w) => tf.mul(w, factor))));
}

/**
 * `head` (fire8 and fire9 copies on fire7/concat) with a copy of the base's fire7 in front, as a run
 * that fine-tunes fire7 too starts: it reads fire6/concat [13, 13, 384] and computes what `head` does.
 */
function withFire7(head: tf.LayersModel, base: BaseNetwork): tf.LayersModel {
  const fire7 = fireFromBase('fire7', (name) => base.layer(name));
  const own = (name: string) => head.getLayer(name).getWeights()[0].shape as number[]; // [kh, kw, K, C]
  const trunk = [
    { fire: 'fire7', squeeze: fire7.squeeze.kernel.shape[1], expand: fire7.expand.kernel.shape[1] },
    ...['fire8', 'fire9'].map((fire) => ({
      fire,
      squeeze: own(trunkSqueezeLayer(fire))[3],
      expand: own(trunkExpandLayer(fire))[3],
    })),
  ];
  const fine = head.inputs[1].shape.slice(1) as [number, number, number];
  const child = createHead([13, 13, 384], own(CLASSIFIER_LAYER)[3], { trunk, hidden: own(HIDDEN_LAYER)[3], fine });
  for (const layer of child.layers.filter((l) => l.getWeights().length > 0 && !l.name.includes('fire7'))) {
    layer.setWeights(head.getLayer(layer.name).getWeights());
  }
  setLinearHead(child, fire7.squeeze.kernel, fire7.squeeze.bias, trunkSqueezeLayer('fire7'));
  setLinearHead(child, fire7.expand.kernel, fire7.expand.bias, trunkExpandLayer('fire7'));
  tf.dispose([fire7.squeeze.kernel, fire7.squeeze.bias, fire7.expand.kernel, fire7.expand.bias]);
  return child;
}

/** A child that reads another base map than its parent: that map and the child's novelty model. */
interface DeeperChild {
  featureLayer: string;
  featureShape: [number, number, number];
  novelty: NoveltyInfo;
}

async function loadFrom(head: tf.LayersModel, metadata: ModelMetadata, base: BaseNetwork): Promise<CrackClassifier> {
  const modelJson = await writeModelDir(await serializeModel(head, metadata));
  return loadCrackClassifier({ reader: fsReader, modelJson, base });
}

/** The first `n` photos of a data folder, decoded. */
async function photos(folder: string, n: number): Promise<tf.Tensor3D[]> {
  const files = (await listImages(path.join(DATA_DIR, folder))).slice(0, n);
  return Promise.all(files.map((f) => decodeImageFile(f)));
}

describe.skipIf(!HAVE_SHARED)('routing between an adapted head and its old head', () => {
  let base: BaseNetwork;
  let parent: { head: tf.LayersModel; metadata: ModelMetadata };
  let siteNovelty: NoveltyInfo;
  let siteSamples: GroupedSample[]; // 4 brick/crack, 4 brick/nocrack photos
  let input: tf.Tensor4D; // [8, 227, 227, 3]: 4 brick photos (the site), 4 concrete photos
  beforeAll(async () => {
    await useWasm();
    base = await sharedBase();
    parent = await loadHead(fsReader, DEFAULT_MODEL);
    const sample = (folder: string, label: number) =>
      listImages(path.join(DATA_DIR, folder)).then((files) =>
        files.slice(0, 4).map((f) => ({ id: f, label, group: folder, load: () => decodeImageFile(f) })),
      );
    siteSamples = [...(await sample('brick/crack', 0)), ...(await sample('brick/nocrack', 1))];
    siteNovelty = (await adaptedNovelty({
      base,
      parent: parent.metadata,
      featureLayer: parent.metadata.base.featureLayer,
      train: siteSamples,
      validation: [],
    })) as NoveltyInfo;
    const images = [...(await photos('brick/crack', 2)), ...(await photos('brick/nocrack', 2))];
    images.push(...(await photos('concrete/crack', 2)), ...(await photos('concrete/nocrack', 2)));
    const parentClassifier = await loadCrackClassifier({ reader: fsReader, modelJson: DEFAULT_MODEL, base });
    input = tf.concat(images.map((im) => parentClassifier.prepare(im))) as tf.Tensor4D;
    parentClassifier.dispose();
    tf.dispose(images);
  });

  /** The shipped head grown by salt-damage, its classifier's columns scaled by `scale` and biases then shifted by `shift`. */
  function saltHead(scale: number[], shift: number[]): tf.LayersModel {
    const grown = growHead(parent.head, 1); // crack, nocrack, salt-damage
    const classifier = grown.getLayer(CLASSIFIER_LAYER);
    tf.tidy(() => {
      const [kernel, bias] = classifier.getWeights();
      classifier.setWeights([
        tf.mul(kernel, tf.tensor1d(scale)),
        tf.add(tf.mul(bias, tf.tensor1d(scale)), tf.tensor1d(shift)),
      ]);
    });
    return grown;
  }

  /** The routing entry of `head` (crack / nocrack) adapted from `from` (default: the shipped model). */
  const routeFrom = (head: tf.LayersModel, novelty: NoveltyInfo | undefined = siteNovelty, from = parent) =>
    routingFor(from, { head, labels: ['crack', 'nocrack'], featureLayer: parent.metadata.base.featureLayer, novelty });

  /**
   * Routes `child` from the shipped model and checks every frame of `input`: the site's frames get
   * exactly the child's own answer, map and fine map, all others exactly the shipped model's; no leaks.
   */
  async function expectRoutedPerFrame(
    child: tf.LayersModel,
    labels: string[] = parent.metadata.labels,
    deeper?: DeeperChild,
  ): Promise<RoutingInfo> {
    const novelty = deeper?.novelty ?? siteNovelty;
    const featureLayer = deeper?.featureLayer ?? parent.metadata.base.featureLayer;
    const routing = await routingFor(parent, { head: child, labels, featureLayer, novelty });
    expect(routing?.siteGroups).toEqual(['brick/crack', 'brick/nocrack']);
    expect(routing?.parent).toEqual({ name: parent.metadata.name, version: parent.metadata.version });
    const baseRef = { ...parent.metadata.base, ...(deeper ? { featureLayer, featureShape: deeper.featureShape } : {}) };
    const metadata = { ...parent.metadata, base: baseRef, labels, version: 3, novelty };
    const routed = await loadFrom(child, { ...metadata, routing }, base);
    const adaptedOnly = await loadFrom(child, metadata, base);
    const old = await loadCrackClassifier({ reader: fsReader, modelJson: DEFAULT_MODEL, base });
    const check = createNoveltyModel(novelty);
    const site = tf.tidy(() =>
      check.nearest(poolFeatures(routed.base.cut(parent.metadata.base.featureLayer).predict(input) as tf.Tensor4D)),
    );
    const siteIndex = (await site.data()).map((g) => (routing?.siteGroups.includes(novelty.groups[g]) ? 1 : 0));
    site.dispose();
    check.dispose();
    expect([...siteIndex]).toContain(1);
    expect([...siteIndex]).toContain(0);

    const read = async (c: CrackClassifier) => {
      const r = c.classifyBatch(input);
      const out = {
        p: (await r.probabilities.array()) as number[][],
        cam: (await r.cam.array()) as number[][][],
        fine: (await r.fineCam?.array()) as number[][][],
        own: r.ownHead ? [...(await r.ownHead.data())] : undefined,
      };
      tf.dispose(Object.values(r) as tf.Tensor[]);
      return out;
    };
    const [got, adapted, before] = [await read(routed), await read(adaptedOnly), await read(old)];
    expect(got.own).toEqual([...siteIndex]);
    for (let i = 0; i < siteIndex.length; i++) {
      const want = siteIndex[i] ? adapted : before;
      // the old head's classes come first; a class it lacks gets probability 0
      labels.forEach((_, j) => expect(got.p[i][j]).toBeCloseTo(want.p[i][j] ?? 0, 4));
      expect(Math.max(...got.cam[i].flat().map((v, j) => Math.abs(v - want.cam[i].flat()[j])))).toBeLessThan(1e-4);
      expect(Math.max(...got.fine[i].flat().map((v, j) => Math.abs(v - want.fine[i].flat()[j])))).toBeLessThan(1e-4);
    }
    await expectNoLeak(() => tf.dispose(Object.values(routed.classifyBatch(input)) as tf.Tensor[]));
    const frame = tf.zeros([300, 300, 3]) as tf.Tensor3D;
    await expectNoLeak(async () => routed.classify(frame));
    frame.dispose();
    for (const c of [routed, adaptedOnly, old]) c.dispose();
    return routing as RoutingInfo;
  }

  it('answers site frames with the adapted head and all others with the old one, maps included', async () => {
    const child = await copyOf(parent.head);
    scaleLayer(child, CLASSIFIER_LAYER, -1); // the adapted head says the opposite of the old one
    scaleLayer(child, FINE_LAYER, -1);
    const routing = await expectRoutedPerFrame(child);
    expect(routing.head.trunk).toBeUndefined(); // the heads share the fire copies
    child.dispose();
  });

  it('keeps the old fire copies when the new model retrained its own (deep mode)', async () => {
    const child = await copyOf(parent.head);
    scaleLayer(child, trunkSqueezeLayer('fire9'), 1.5);
    scaleLayer(child, CLASSIFIER_LAYER, -1);
    const routing = await expectRoutedPerFrame(child);
    expect(routing.head.trunk?.map((m) => m.fire)).toEqual(['fire8', 'fire9']);
    child.dispose();
  });

  it('routes a model that fine-tuned fire7 too: its check and its old head read the base fire7 map', async () => {
    const child = withFire7(parent.head, base);
    scaleLayer(child, trunkSqueezeLayer('fire7'), 1.5);
    scaleLayer(child, CLASSIFIER_LAYER, -1);
    const featureLayer = 'fire6/concat';
    const novelty = (await adaptedNovelty({
      base,
      parent: parent.metadata,
      featureLayer,
      train: siteSamples,
      validation: [],
    })) as NoveltyInfo;
    // The check stays on the parent's map: the site's groups come out as fitted there.
    expect(novelty.layer).toBe('fire7/concat');
    expect(novelty.means).toBe(siteNovelty.means);
    const routing = await expectRoutedPerFrame(child, parent.metadata.labels, {
      featureLayer,
      featureShape: [13, 13, 384],
      novelty,
    });
    expect(routing.featureLayer).toBe('fire7/concat');
    expect(routing.head.trunk?.map((m) => m.fire)).toEqual(['fire8', 'fire9']);
    // Maps the base lacks, or whose channels do not fit what reads them, are refused at load, naming the file.
    const base6 = { ...parent.metadata.base, featureLayer, featureShape: [13, 13, 384] as [number, number, number] };
    const refused = async (change: Partial<ModelMetadata>) => {
      const meta = { ...parent.metadata, base: base6, novelty, routing, ...change };
      const modelJson = await writeModelDir(await serializeModel(child, meta));
      const error = await loadCrackClassifier({ reader: fsReader, modelJson, base }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFileError);
      expect(String(error)).toContain(modelJson);
      return String(error);
    };
    expect(await refused({ novelty: { ...novelty, layer: 'fire99/concat' } })).toMatch(/has no layer 'fire99\/concat'/);
    expect(await refused({ novelty: { ...novelty, layer: 'fire8/concat' } })).toMatch(
      /novelty reads 384 channels of 'fire8\/concat', which has 512/,
    );
    expect(await refused({ routing: { ...routing, featureLayer: 'fire5/concat' } })).toMatch(
      /routing's old fire copies read 384 channels of 'fire5\/concat', which has 256/,
    );
    child.dispose();
  });

  it('routes a model with a class the old head lacks frame by frame, fine maps included', async () => {
    const grown = saltHead([-1, -1, 1], [0, 0, -100]); // crack and nocrack swapped; salt damage never the top class
    await expectRoutedPerFrame(grown, [...parent.metadata.labels, 'salt-damage']);
    grown.dispose();
  });

  it('lets a class only the adapted head has answer wherever the frame lies', async () => {
    const grown = saltHead([1, 1, 1], [0, 0, 100]); // salt damage everywhere
    const labels = [...parent.metadata.labels, 'salt-damage'];
    const routing = await routingFor(parent, {
      head: grown,
      labels,
      featureLayer: parent.metadata.base.featureLayer,
      novelty: siteNovelty,
    });
    expect(routing?.labels).toEqual(parent.metadata.labels);
    const routed = await loadFrom(grown, { ...parent.metadata, labels, novelty: siteNovelty, routing }, base);
    grown.dispose();
    const r = routed.classifyBatch(input);
    expect([...(await r.ownHead!.data())]).toEqual(Array(8).fill(1));
    expect(((await r.probabilities.array()) as number[][]).every((p) => p[2] > 0.99)).toBe(true);
    tf.dispose(Object.values(r) as tf.Tensor[]);
    routed.dispose();
  });

  it('lets a site router choose the head instead of the nearest group', async () => {
    const child = await copyOf(parent.head);
    scaleLayer(child, CLASSIFIER_LAYER, -1);
    // A router fitted on these very frames: the four brick photos are the site, the four concrete ones not.
    const pooled = tf.tidy(() =>
      poolFeatures(base.cut(parent.metadata.base.featureLayer).predict(input) as tf.Tensor4D),
    );
    const rows = ((await pooled.array()) as number[][]).map((r) => Float32Array.from(r));
    pooled.dispose();
    const router = storedRouter(await fitSiteRouter(rows.slice(0, 4), rows.slice(4)));
    const routing = { ...(await routeFrom(child))!, router };
    const routed = await loadFrom(child, { ...parent.metadata, novelty: siteNovelty, routing }, base);
    child.dispose();
    const r = routed.classifyBatch(input);
    expect([...(await r.ownHead!.data())]).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    tf.dispose(Object.values(r) as tf.Tensor[]);
    await expectNoLeak(() => tf.dispose(Object.values(routed.classifyBatch(input)) as tf.Tensor[]));
    routed.dispose();
  });

  it('judges each frame as familiar or not by the groups of the head that answered it', async () => {
    const child = await copyOf(parent.head);
    scaleLayer(child, CLASSIFIER_LAYER, -1);
    const d = siteNovelty.dims;
    // Routers that send every frame to the old head, or every frame to the site's.
    const everyFrameTo = (site: boolean) => storedRouter({ kernel: new Float32Array(d), bias: site ? 10 : -10 });
    const scoresWith = async (site: boolean) => {
      const routing = { ...(await routeFrom(child))!, router: everyFrameTo(site) };
      const routed = await loadFrom(child, { ...parent.metadata, novelty: siteNovelty, routing }, base);
      const r = routed.classifyBatch(input);
      const out = { scores: [...(await r.novelty!.data())], ownHead: [...(await r.ownHead!.data())] };
      tf.dispose(Object.values(r) as tf.Tensor[]);
      routed.dispose();
      return out;
    };
    const old = await scoresWith(false);
    expect(old.ownHead).toEqual(Array(8).fill(0));
    // The old head's frames are judged as the model before adapting judged them: the site's (wide) brick
    // groups vouch for none of them, the brick photos among them included.
    const before = await loadCrackClassifier({ reader: fsReader, modelJson: DEFAULT_MODEL, base });
    const b = before.classifyBatch(input);
    const parentScores = [...(await b.novelty!.data())];
    tf.dispose(Object.values(b) as tf.Tensor[]);
    before.dispose();
    old.scores.forEach((s, i) => expect(s).toBeCloseTo(parentScores[i], 0));
    // The site head's frames are judged by the site's groups only: the brick photos (frames 0-3) lie
    // nearer the brick groups they were fitted on than the old groups that judge them when the old head answers.
    const own = await scoresWith(true);
    expect(own.ownHead).toEqual(Array(8).fill(1));
    for (let i = 0; i < 4; i++) expect(own.scores[i]).toBeLessThan(old.scores[i]);
    child.dispose();
  });

  it('passes the first old head down a lineage, and none without novelty groups of the site', async () => {
    const child = await copyOf(parent.head);
    const routing = await routeFrom(child);
    const adaptedMeta = { ...parent.metadata, version: 3, novelty: siteNovelty, routing };
    const moreSite = { ...siteNovelty, groups: [...siteNovelty.groups.slice(0, -1), 'site2/nocrack'] };
    const next = await routeFrom(child, moreSite, { head: child, metadata: adaptedMeta });
    expect(next?.parent).toEqual(routing?.parent);
    expect(next?.head).toBe(routing?.head);
    expect(next?.siteGroups).toEqual(['brick/crack', 'site2/nocrack']);
    // A grandchild that retrained the copies keeps the first head's copies: its parent's, which are the first head's.
    const deep = await copyOf(child);
    scaleLayer(deep, trunkSqueezeLayer('fire9'), 1.5);
    const deeper = await routeFrom(deep, moreSite, { head: child, metadata: adaptedMeta });
    expect(deeper?.head.trunk?.map((m) => m.fire)).toEqual(['fire8', 'fire9']);
    expect(deeper?.head.out).toBe(routing?.head.out);
    // ... and passes them on unchanged to the next one.
    const deepMeta = { ...adaptedMeta, routing: deeper };
    const after = await routeFrom(deep, moreSite, { head: deep, metadata: deepMeta });
    expect(after?.head).toBe(deeper?.head);
    deep.dispose();
    expect(await routeFrom(child, parent.metadata.novelty)).toBeUndefined();
    child.dispose();
  });

  it('builds the entry, loads and frees a routed model without leaving a tensor behind', async () => {
    const child = await copyOf(parent.head);
    await expectNoLeak(() => routeFrom(child)); // shared copies
    const deep = await copyOf(parent.head);
    scaleLayer(deep, trunkSqueezeLayer('fire9'), 1.5);
    await expectNoLeak(() => routeFrom(deep)); // the old copies stored too
    const routing = await routeFrom(deep);
    const modelJson = await writeModelDir(
      await serializeModel(deep, { ...parent.metadata, novelty: siteNovelty, routing }),
    );
    await expectNoLeak(async () => (await loadCrackClassifier({ reader: fsReader, modelJson, base })).dispose());
    child.dispose();
    deep.dispose();
  });

  it('refuses a routing entry whose old head does not fit the head, naming the file', async () => {
    const child = await copyOf(parent.head);
    const routing = await routeFrom(child);
    const broken = { ...routing!, head: { ...routing!.head, fine: undefined } };
    const files = await serializeModel(child, { ...parent.metadata, novelty: siteNovelty, routing });
    child.dispose();
    const json = JSON.parse(new TextDecoder().decode(files['model.json']));
    json.userDefinedMetadata.crackcam.routing = broken;
    const modelJson = await writeModelDir({ ...files, 'model.json': new TextEncoder().encode(JSON.stringify(json)) });
    await expectNoLeak(async () => {
      const error = await loadCrackClassifier({ reader: fsReader, modelJson, base }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFileError);
      expect(String(error)).toMatch(/routing's old head lacks a fine head/);
    });
  });
});

describe('site groups a run from an adapted model does not cover', () => {
  it('lists the parent’s site groups the run has no photos of', () => {
    const routing = { siteGroups: ['brick/crack', 'brick/nocrack'] } as RoutingInfo;
    expect(uncoveredSiteGroups({ routing }, ['brick2/crack', 'brick2/nocrack'])).toEqual([
      'brick/crack',
      'brick/nocrack',
    ]);
    expect(uncoveredSiteGroups({ routing }, ['brick/crack'])).toEqual(['brick/nocrack']);
    expect(uncoveredSiteGroups({ routing }, ['brick/crack', 'brick/nocrack', 'brick/salt-damage'])).toEqual([]);
    expect(uncoveredSiteGroups({}, ['brick/crack'])).toEqual([]); // not adapted
  });
});
