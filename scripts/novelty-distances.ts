/**
 * How far photos lie from each group of a model's unfamiliar-surface check: the squared Mahalanobis
 * distance of each photo's pooled base map to every group mean, as the model's novelty model measures
 * it (its whitening and means), as percentiles per data folder, with the group's own threshold and the
 * share of the folder's photos inside it. Photos the model saw (its seen.json) are left out, as
 * `npm run eval` does. Prints one JSON line:
 *   {"model": DIR, "sets": {NAME: {"n": N, "groups": {GROUP: {"p10", "p50", "p90", "threshold", "inside"}}}}}
 *
 *   npx tsx scripts/novelty-distances.ts --model DIR --data DIR[,DIR...] [--groups G[,G...]] [--base PATH]
 * (`--data`: folders of label folders, as for `npm run eval`; every label's photos count, whatever its name.
 * `--groups`: only these groups, e.g. brick/crack,brick/nocrack; default all.)
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBaseNetwork } from '../src/core/base';
import type { ModelMetadata } from '../src/core/metadata';
import { createNoveltyModel, noveltyLayerOf, validateNoveltyInfo } from '../src/core/novelty';
import { quantile } from '../src/core/oneclass-linalg';
import { pooledFeatures } from '../src/core/trainer-features';
import { photoSamples } from '../src/cli/classifier-training';
import { seenFiles } from '../src/cli/model-cli';
import { defaultBasePath, fsReader, initNodeBackend, listLabelledImages } from '../src/cli/node-io';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    groups: { type: 'string' },
    base: { type: 'string' },
  },
});
if (!values.model || !values.data) throw new Error('usage: --model DIR --data DIR[,DIR...] [--groups G[,G...]]');
const modelJson = path.join(values.model, 'model.json');

await initNodeBackend('wasm');
const metadata = JSON.parse(await readFile(modelJson, 'utf8')).userDefinedMetadata.crackcam as ModelMetadata;
const info = validateNoveltyInfo(metadata.novelty);
const wanted = values.groups ? values.groups.split(',') : info.groups;
const unknown = wanted.filter((g) => !info.groups.includes(g));
if (unknown.length) throw new Error(`no group ${unknown.join(', ')}; valid: ${info.groups.join(', ')}`);
const base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(values.base) });
const layer = base.cut(noveltyLayerOf(metadata));
const novelty = createNoveltyModel(info);
const sets: Record<string, { n: number; groups: Record<string, Record<string, number>> }> = {};
for (const dir of values.data.split(',')) {
  const seen = await seenFiles(modelJson, dir);
  const { files } = await listLabelledImages(dir);
  const unseen = files.filter((f) => !seen.has(`${f.label}/${path.basename(f.path)}`));
  // The label does not matter here: every photo is scored against every group.
  const samples = photoSamples(unseen, [...new Set(unseen.map((f) => f.label))], metadata.inputSize);
  const views = await pooledFeatures(base, metadata.preprocessing, samples, { views: 1, augment: null }, layer); // [1, N, D]
  const pooled = tf.tidy(() => tf.squeeze(views, [0]) as tf.Tensor2D);
  const distances = novelty.distances(pooled); // [N, G], unscaled, as the check measures them
  const d2 = distances.arraySync() as number[][];
  tf.dispose([views, pooled, distances]);
  const groups = Object.fromEntries(
    wanted.map((g) => {
      const column = d2.map((row) => row[info.groups.indexOf(g)]);
      const threshold = info.groupThresholds?.[info.groups.indexOf(g)] ?? info.threshold;
      const round = (x: number) => Math.round(x);
      return [
        g,
        {
          p10: round(quantile(column, 0.1)),
          p50: round(quantile(column, 0.5)),
          p90: round(quantile(column, 0.9)),
          threshold: round(threshold),
          inside: column.filter((x) => x <= threshold).length / column.length,
        },
      ];
    }),
  );
  sets[path.basename(path.resolve(dir))] = { n: unseen.length, groups };
}
novelty.dispose();
console.log(JSON.stringify({ model: values.model, sets }));
