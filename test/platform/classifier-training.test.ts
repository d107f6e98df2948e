import { DEFAULT_RECIPE } from '../../src/core/trainer-recipe';
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BaseNetwork } from '../../src/core/base';
import { loadCrackClassifier, type CrackClassifier } from '../../src/core/classifier';
import { validateMetadata } from '../../src/core/metadata';
import { serializeModel } from '../../src/core/model-writer';
import { DEFAULT_VALIDATION_SHARE, planTraining } from '../../src/core/training-plan';
import { DEFAULT_MODEL, fsReader, listImages } from '../../src/cli/node-io';
import {
  deepMemoryEstimate,
  misclassifiedMaps,
  trainClassifier,
  type ClassifierTrainingConfig,
  type ClassifierTrainingOutcome,
  type ClassifierTrainingProgress,
  watchCandidates,
  watchedCapture,
  WATCH_CHOICES_PER_LABEL,
} from '../../src/platform/classifier-training';
import type { CaptureRecord } from '../../src/platform/capture-store';
import type { TrainingPlace } from '../../src/platform/head-training-place';
import { filesReader } from '../../src/platform/model-store';
import { TrainingWorker, WorkerStartError } from '../../src/platform/training-client';
import type { WatchedCam } from '../../src/core/trainer';
import type { RehearsalItem } from '../../src/platform/rehearsal-pack';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, sharedBase, useWasm } from '../helpers';

/** The default model's rehearsal pack folder. */
const DEFAULT_REHEARSAL = path.join(path.dirname(DEFAULT_MODEL), 'rehearsal');

/** Decodes a crop Blob (a JPEG here) to [h, w, 3] int32 RGB, as the browser's decoder does in the app. */
async function decode(crop: Blob): Promise<tf.Tensor3D> {
  const { data, info } = await sharp(Buffer.from(await crop.arrayBuffer()))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
}

/** The first `n` brick photos of `label` as captures of that label. */
async function captures(label: 'crack' | 'nocrack', n: number): Promise<CaptureRecord[]> {
  const files = (await listImages(path.join(DATA_DIR, 'brick', label))).slice(0, n);
  return Promise.all(
    files.map(
      async (f, i) =>
        ({
          id: `${label}-${i}`,
          label,
          takenAt: i,
          source: 'import',
          crop: new Blob([await readFile(f)], { type: 'image/jpeg' }),
        }) as CaptureRecord,
    ),
  );
}

/**
 * The shipped rehearsal pack, `perGroup` photos per surface, label and use: quick to train on (the
 * per-group cap is tested in test/cli/rehearsal-pack.test.ts).
 */
async function smallPack(perGroup = 4): Promise<RehearsalItem[]> {
  const index = JSON.parse(await readFile(path.join(DEFAULT_REHEARSAL, 'index.json'), 'utf8')) as {
    items: { file: string; label: string; surface: string; use: 'train' | 'eval' }[];
  };
  const taken = new Map<string, number>();
  const items = index.items.filter((i) => {
    const key = `${i.surface}/${i.label}/${i.use}`;
    taken.set(key, (taken.get(key) ?? 0) + 1);
    return taken.get(key)! <= perGroup;
  });
  return Promise.all(
    items.map(async (item) => ({
      id: `rehearsal/${item.file}`,
      label: item.label,
      surface: item.surface,
      use: item.use,
      crop: new Blob([await readFile(path.join(DEFAULT_REHEARSAL, item.file))], { type: 'image/jpeg' }),
    })),
  );
}

describe.skipIf(!HAVE_SHARED)('classifier training on captures (Node, WASM, real base)', () => {
  let base: BaseNetwork;
  let classifier: CrackClassifier;
  let all: CaptureRecord[];
  let outcome: ClassifierTrainingOutcome;
  const progress: ClassifierTrainingProgress[] = [];
  const watched: { epoch: number; cam: WatchedCam; labels: readonly string[] }[] = [];
  const places: TrainingPlace[] = [];
  const run = (more: Partial<ClassifierTrainingConfig> = {}): Promise<ClassifierTrainingOutcome> =>
    trainClassifier({ classifier, captures: all, start: 'current', mode: 'head', epochs: 3, seed: 1, decode, ...more });

  beforeAll(async () => {
    await useWasm();
    base = await sharedBase();
    classifier = await loadCrackClassifier({ reader: fsReader, modelJson: DEFAULT_MODEL, base });
    all = [...(await captures('crack', 5)), ...(await captures('nocrack', 5))];
    outcome = await run({
      watchId: 'crack-0',
      onProgress: (p) => void progress.push(p),
      onWatch: (epoch, cam, labels) => void watched.push({ epoch, cam, labels }),
      onPlace: (p) => void places.push(p),
    });
  });

  it('reports features, every epoch, then scoring, and the watched capture’s map before training and after every epoch', () => {
    const phases = progress.map((p) => p.phase);
    expect(phases[0]).toBe('features');
    expect(progress).toContainEqual({ phase: 'features', done: 11, total: 11 }); // 8 train + 2 validation + 1 watched
    expect(phases.filter((p) => p === 'epoch')).toHaveLength(3);
    expect(phases.indexOf('epoch')).toBeGreaterThan(phases.lastIndexOf('features'));
    expect(phases.at(-1)).toBe('scoring');
    expect(watched.map((w) => w.epoch)).toEqual([0, 1, 2, 3]);
    expect(watched[0].labels).toEqual(['crack', 'nocrack']);
    expect(watched[3].cam).toMatchObject({ id: 'crack-0', camWidth: 13, camHeight: 13 });
    expect(places).toEqual([{ in: 'page', backend: 'wasm' }]);
  });

  it('holds out the default share of every class and scores the current model on the same captures', async () => {
    expect(DEFAULT_VALIDATION_SHARE).toBe(0.2);
    expect(outcome.n).toEqual({ train: 8, validation: 2 });
    expect(outcome.result.validation.n).toBe(2);
    const { validation } = planTraining(all, { start: 'current', modelLabels: classifier.labels, seed: 1 });
    let right = 0;
    for (const c of validation) {
      const pixels = await decode(c.crop);
      const r = await classifier.classify(pixels);
      pixels.dispose();
      if (r.label === c.label) right++;
    }
    expect(outcome.previous.n).toBe(2);
    expect(outcome.previous.accuracy).toBe(right / 2);
  });

  it('builds the next version’s metadata with the builder the CLIs use, and the model saves and loads back', async () => {
    const m = validateMetadata(outcome.metadata);
    expect(m).toMatchObject({
      kind: 'classifier',
      name: classifier.metadata.name,
      version: classifier.metadata.version + 1,
      labels: ['crack', 'nocrack'],
    });
    expect(m.base).toMatchObject({
      featureLayer: outcome.result.featureLayer,
      featureShape: outcome.result.featureShape,
      fineLayer: 'fire3/concat',
      fineShape: [56, 56, 128],
    });
    expect(m.training).toMatchObject({
      tool: 'crackcam app',
      data: 'captures',
      mode: 'deep', // the model's: the default model carries fire copies, which head mode kept frozen
      fineTuned: [],
      start: { from: classifier.metadata.name, version: classifier.metadata.version },
      split: { validation: DEFAULT_VALIDATION_SHARE, seed: 1 },
      n: { train: 8, validation: 2 },
      optimizer: { name: 'adam', batchSize: DEFAULT_RECIPE.batchSize },
      epochs: 3,
      views: outcome.views,
      augment: DEFAULT_RECIPE.augment, // the recipe's, as \`npm run finetune\`: any orientation too
      valAccuracy: outcome.result.validation.accuracy,
      previousValAccuracy: outcome.previous.accuracy,
      backend: 'wasm',
    });
    expect(m.training?.history).toHaveLength(3);
    // The unfamiliar-surface check carries over, with the captures as a familiar surface.
    const parent = classifier.metadata.novelty!;
    expect(m.novelty).toMatchObject({ whitening: parent.whitening, threshold: parent.threshold });
    expect(m.novelty?.groups).toEqual([...parent.groups, 'captures/crack', 'captures/nocrack']);
    expect(Object.keys(m.novelty?.validationRejection ?? {})).toEqual(
      expect.arrayContaining(['captures/crack', 'captures/nocrack']),
    );
    const files = await serializeModel(outcome.result.head, m);
    const loaded = await loadCrackClassifier({ reader: filesReader(files), modelJson: 'model:model.json', base });
    expect(loaded.metadata.version).toBe(classifier.metadata.version + 1);
    loaded.dispose();
  });

  it('maps misclassified captures with the trained model’s fine map (56x56), as the live view paints it, leaking nothing', async () => {
    const wrong = {
      ...outcome,
      result: {
        ...outcome.result,
        misclassified: [
          { id: 'nocrack-1', truth: 'nocrack', predicted: 'crack' },
          { id: 'gone', truth: 'crack', predicted: 'nocrack' },
        ],
      },
    };
    let maps: Awaited<ReturnType<typeof misclassifiedMaps>> = [];
    await expectNoLeak(async () => {
      maps = await misclassifiedMaps(wrong, base, all, decode);
    });
    expect(maps.map((m) => [m.id, m.width, m.height])).toEqual([['nocrack-1', 56, 56]]); // a capture no longer stored is skipped
    const trained = await loadCrackClassifier({
      reader: filesReader(await serializeModel(outcome.result.head, outcome.metadata)),
      modelJson: 'model:model.json',
      base,
    });
    const pixels = await decode(all.find((c) => c.id === 'nocrack-1')!.crop);
    const r = await trained.classify(pixels, { camClass: 'crack' });
    pixels.dispose();
    trained.dispose();
    expect(Array.from(maps[0].map)).toEqual(Array.from(r.fineCam!));
  });

  it('falls back to the page when the worker cannot start, and says where it trained', async () => {
    const seen: TrainingPlace[] = [];
    const worker = new TrainingWorker(() => {
      throw new Error('no module workers here');
    });
    const r = await run({ epochs: 1, worker, onPlace: (p) => void seen.push(p) });
    r.result.head.dispose();
    expect(seen).toEqual([{ in: 'worker' }, { in: 'page', backend: 'wasm' }]);
    expect(r.place).toEqual({ in: 'page', backend: 'wasm' });
    expect(new WorkerStartError('x').message).toMatch(/could not start/);
  });

  it('estimates deep mode’s memory from the trainer’s own choice of fire modules', () => {
    // the default model carries copies of fire8 and fire9: head mode keeps them frozen and caches their output
    expect(deepMemoryEstimate(classifier, { start: 'current', mode: 'head', epochs: 10 }, 100)).toMatchObject({
      fires: ['fire8', 'fire9'],
      trainTrunk: false,
      mapBytes: 13 * 13 * 256 * 4, // fire9's copy outputs the 3x3 half the head reads
    });
    expect(deepMemoryEstimate(classifier, { start: 'base', mode: 'head', epochs: 10 }, 100)).toBeUndefined();
    const deep = deepMemoryEstimate(classifier, { start: 'current', mode: 'deep', epochs: 10 }, 100)!;
    expect(deep).toMatchObject({
      fires: ['fire8', 'fire9'],
      trainTrunk: true,
      layer: 'fire7/concat',
      mapBytes: 13 * 13 * 384 * 4,
    });
    expect(deep.views).toBeGreaterThanOrEqual(1);
    expect(deep.bytes).toBe((80 * deep.views + 21) * deep.mapBytes); // 80 train per view, 20 validation + 1 watched once
  });

  it('frees everything when the head is disposed, and on an abort at any point', async () => {
    await expectNoLeak(async () => {
      (await run({ epochs: 1 })).result.head.dispose();
    });
    for (const stopAt of ['features', 'epoch', 'scoring'] as const) {
      const abort = new AbortController();
      await expectNoLeak(async () => {
        const stopped = run({
          epochs: 2,
          signal: abort.signal,
          onProgress: (p) => (p.phase === stopAt ? abort.abort() : undefined),
        });
        await expect(stopped).rejects.toThrow();
      });
    }
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rehearses the pack’s train photos of its labels, grows the head for a new class, and records both', async () => {
    const rehearsal = await smallPack();
    const salt = (await captures('nocrack', 3)).map((c, i) => ({ ...c, id: `salt-${i}`, label: 'salt-damage' }));
    const before = tf.memory().numTensors;
    const grown = await run({ captures: [...all, ...salt], rehearsal, epochs: 1 });
    // The pack's train photos, at most DEFAULT_RECIPE.rehearsalPerGroup per surface and label (concrete crack +
    // nocrack, asphalt crack + nocrack, walls nocrack; 40 each in the shipped pack)
    const perGroup = new Map<string, number>();
    for (const i of rehearsal.filter((i) => i.use === 'train'))
      perGroup.set(`${i.surface}/${i.label}`, (perGroup.get(`${i.surface}/${i.label}`) ?? 0) + 1);
    const expected = [...perGroup.values()].reduce((sum, n) => sum + Math.min(n, DEFAULT_RECIPE.rehearsalPerGroup), 0);
    expect(expected).toBeGreaterThan(0);
    expect(grown.rehearsed).toEqual({ n: expected, surfaces: ['concrete', 'asphalt', 'walls'] });
    expect(grown.added).toEqual(['salt-damage']);
    expect(grown.labels).toEqual(['crack', 'nocrack', 'salt-damage']);
    const meta = validateMetadata(grown.metadata);
    expect(meta.surfaces).toEqual({
      trained: ['asphalt', 'captures', 'concrete', 'walls'],
      rehearsed: ['asphalt', 'concrete', 'walls'],
    });
    expect(meta.training?.n).toMatchObject({ replay: expected });
    // Rehearsed surfaces the parent's check did not know become familiar; its own groups keep their means.
    expect(meta.novelty?.groups).toEqual([
      'asphalt/crack',
      'asphalt/nocrack',
      'concrete/crack',
      'concrete/nocrack',
      'walls/nocrack',
      'captures/crack',
      'captures/nocrack',
      'captures/salt-damage',
    ]);
    // the eval photos never train: only captures are validated, and no eval photo is among the trained ids
    expect(grown.validationCaptures.every((c) => !c.id.startsWith('rehearsal/'))).toBe(true);
    grown.result.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The recipe's choice for a new class: only the surface most crack and no-crack captures lie nearest.
    const nearest = await run({ captures: [...all, ...salt], rehearsal, rehearseNearestSurface: true, epochs: 1 });
    nearest.result.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(nearest.rehearsed.surfaces).toHaveLength(1);
    const [surface] = nearest.rehearsed.surfaces;
    const ofSurface = [...perGroup].filter(([group]) => group.startsWith(`${surface}/`));
    expect(ofSurface.length).toBeGreaterThan(0);
    expect(nearest.rehearsed.n).toBe(ofSurface.reduce((sum, [, n]) => sum + n, 0));
    expect(validateMetadata(nearest.metadata).surfaces?.rehearsed).toEqual([surface]);
  });

  it('fits a site router against the pack, which tells the brick captures from the old surfaces', async () => {
    const pack = await smallPack(10);
    const site = [...(await captures('crack', 15)), ...(await captures('nocrack', 15))];
    const before = tf.memory().numTensors;
    const routed = await run({ captures: site, pack, epochs: 1 });
    const router = routed.metadata.routing?.router;
    expect(router).toMatchObject({ inputs: classifier.metadata.novelty?.dims, outputs: 1 });
    expect(outcome.metadata.routing?.router).toBeUndefined(); // no pack given: the nearest group decides
    routed.result.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the problem with captures of one class only, and loses nothing', async () => {
    const cracks = all.filter((c) => c.label === 'crack');
    await expect(run({ captures: cracks, start: 'base' })).rejects.toThrow(
      /need captures of at least 2 classes, have crack/,
    );
    expect(all).toHaveLength(10);
  });
});

describe('the capture watched during a run', () => {
  const records = (label: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${label}-${i}`, label }));

  it('offers the first few captures of every label, in order', () => {
    const all = [...records('nocrack', 3), ...records('crack', WATCH_CHOICES_PER_LABEL + 2), ...records('stain', 1)];
    const offered = watchCandidates(all);
    expect(offered.filter((c) => c.label === 'crack').map((c) => c.id)).toEqual(
      records('crack', WATCH_CHOICES_PER_LABEL).map((c) => c.id),
    );
    expect(offered.filter((c) => c.label !== 'crack')).toEqual([...records('nocrack', 3), ...records('stain', 1)]);
  });

  it('keeps the chosen capture while it is offered, else picks the first crack capture, else the first', () => {
    const offered = [...records('nocrack', 2), ...records('crack', 2)];
    expect(watchedCapture(offered, 'nocrack-1')).toBe('nocrack-1');
    expect(watchedCapture(offered, 'deleted')).toBe('crack-0');
    expect(watchedCapture(records('nocrack', 2), '')).toBe('nocrack-0');
    expect(watchedCapture([], 'x')).toBe('');
  });
});
