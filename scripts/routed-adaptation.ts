/**
 * Routed adaptation, measured: a model adapted in head mode (`npm run finetune`) beside the model it
 * started from. Each photo goes to the adapted model when its nearest novelty group is one the
 * adaptation added (the site's own photos) or when the adapted model names a class the parent does
 * not have (e.g. salt damage), else to the parent, which never forgot anything. For each data folder
 * it prints accuracy and crack recall of the routed pair, of the adapted model alone and of the parent
 * alone, on the same photos, and the share routed to the adapted model, as one JSON line.
 *   npx tsx scripts/routed-adaptation.ts --adapted DIR [--parent DIR] --data DIR[,DIR...] [--base PATH]
 * Photos in the adapted model's seen.json (which lists its parent's and the rehearsed ones) are skipped.
 * The adapted model must be written with `--no-routing`: the product's own routing (src/core/routing.ts)
 * does the same, and `npm run eval` measures it directly.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CrackClassifier } from '../src/core/classifier';
import { createNoveltyModel, noveltyLayerOf, poolFeatures } from '../src/core/novelty';
import { loadCliClassifier, seenFiles } from '../src/cli/model-cli';
import {
  decodeImageFile,
  decodeShortSide,
  initNodeBackend,
  listLabelledImages,
  modelJsonPath,
} from '../src/cli/node-io';

/** Counts for one data folder. */
interface Tally {
  n: number;
  routedToAdapted: number;
  correct: { routed: number; adapted: number; parent: number };
  cracks: number;
  cracksFound: { routed: number; adapted: number; parent: number };
}

const { values: args } = parseArgs({
  options: {
    adapted: { type: 'string' },
    parent: { type: 'string' },
    data: { type: 'string' },
    base: { type: 'string' },
  },
});
if (!args.adapted || !args.data)
  throw new Error('usage: --adapted DIR [--parent DIR] --data DIR[,DIR...] [--base PATH]');

/** The label of the largest probability. probabilities: [1, C]. */
function verdict(classifier: CrackClassifier, input: tf.Tensor4D): string {
  const p = tf.tidy(() => classifier.classifyBatch(input, { fineMap: false, novelty: false }).probabilities);
  const index = tf.tidy(() => tf.argMax(p, 1).dataSync()[0]);
  p.dispose();
  return classifier.labels[index];
}

async function main(): Promise<void> {
  await initNodeBackend('wasm');
  const { classifier: parent } = await loadCliClassifier(args.parent, args.base, 'routed-adaptation');
  const adaptedJson = modelJsonPath(args.adapted as string);
  const { classifier: adapted } = await loadCliClassifier(adaptedJson, args.base, 'routed-adaptation');
  const info = adapted.metadata.novelty;
  const parentGroups = new Set(parent.metadata.novelty?.groups ?? []);
  if (adapted.metadata.routing)
    throw new Error(
      `${adaptedJson} routes itself: pass a model written with --no-routing (npm run eval measures a routed model directly)`,
    );
  if (!info || adapted.metadata.base.featureLayer !== parent.metadata.base.featureLayer)
    throw new Error('the adapted model needs a novelty model on the same base map as its parent (head mode)');
  const siteGroups = new Set(info.groups.flatMap((g, i) => (parentGroups.has(g) ? [] : [i])));
  const novelty = createNoveltyModel(info);
  const cut = adapted.base.cut(noveltyLayerOf(adapted.metadata));
  const maxShortSide = decodeShortSide(adapted.inputSize);
  const sets: Record<string, Tally> = {};
  for (const dir of (args.data as string).split(',')) {
    const seen = await seenFiles(adaptedJson, dir);
    const files = (await listLabelledImages(dir)).files.filter((f) => !seen.has(`${f.label}/${path.basename(f.path)}`));
    const t: Tally = {
      n: 0,
      routedToAdapted: 0,
      correct: { routed: 0, adapted: 0, parent: 0 },
      cracks: 0,
      cracksFound: { routed: 0, adapted: 0, parent: 0 },
    };
    for (const f of files) {
      const image = await decodeImageFile(f.path, { maxShortSide });
      const input = adapted.prepare(image); // [1, 227, 227, 3]
      image.dispose();
      const group = tf.tidy(() => novelty.nearest(poolFeatures(cut.predict(input) as tf.Tensor4D)).dataSync()[0]);
      const answers = { adapted: verdict(adapted, input), parent: verdict(parent, input), routed: '' };
      // A verdict of a class only the adapted model has (e.g. salt damage) is kept wherever the photo lies.
      const toAdapted = siteGroups.has(group) || !parent.labels.includes(answers.adapted);
      answers.routed = toAdapted ? answers.adapted : answers.parent;
      input.dispose();
      t.n++;
      if (toAdapted) t.routedToAdapted++;
      if (f.label === 'crack') t.cracks++;
      for (const k of ['routed', 'adapted', 'parent'] as const) {
        if (answers[k] === f.label) t.correct[k]++;
        if (f.label === 'crack' && answers[k] === 'crack') t.cracksFound[k]++;
      }
    }
    sets[path.basename(path.resolve(dir))] = t;
    process.stderr.write(`${dir}: ${t.n} photos\n`);
  }
  const share = (a: number, b: number) => (b ? Math.round((1e4 * a) / b) / 1e4 : null);
  const summary = Object.fromEntries(
    Object.entries(sets).map(([name, t]) => [
      name,
      {
        n: t.n,
        routedToAdapted: share(t.routedToAdapted, t.n),
        accuracy: {
          routed: share(t.correct.routed, t.n),
          adapted: share(t.correct.adapted, t.n),
          parent: share(t.correct.parent, t.n),
        },
        crackRecall: {
          routed: share(t.cracksFound.routed, t.cracks),
          adapted: share(t.cracksFound.adapted, t.cracks),
          parent: share(t.cracksFound.parent, t.cracks),
        },
      },
    ]),
  );
  process.stdout.write(`${JSON.stringify({ adapted: args.adapted, sets: summary })}\n`);
  novelty.dispose();
  parent.dispose();
  adapted.dispose();
}

void main();
