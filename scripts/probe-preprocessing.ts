/**
 * Which input normalisation do the base weights expect? For each candidate, a logistic-regression
 * probe on globally pooled fire9 features is trained on a few images per class and tested on other
 * images, over several seeded splits (few training images, so the better features show).
 * Prints one JSON line per data set and mode, then a summary line. Usage:
 *   npm run probe-preprocessing -- [--train 10] [--test 150] [--splits 5] [--base PATH]
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { loadBaseNetwork } from '../src/core/base';
import { extractPooledFeatures } from '../src/core/features';
import { cropAndNormalise, PREPROCESSING_MODES } from '../src/core/preprocess';
import { createRng, shuffled } from '../src/core/random';
import { numberFlag, parseCli } from '../src/cli/args';
import {
  decodeImageFile,
  defaultBasePath,
  fsReader,
  initNodeBackend,
  listLabelledImages,
  sharedDataPath,
} from '../src/cli/node-io';

const USAGE = 'usage: npm run probe-preprocessing -- [--train N] [--test N] [--splits N] [--base PATH]';
const args = parseCli(USAGE, {
  train: { type: 'string' },
  test: { type: 'string' },
  splits: { type: 'string' },
  base: { type: 'string' },
  help: { type: 'boolean' },
});
const nTrain = numberFlag('train', args.train, 10);
const nTest = numberFlag('test', args.test, 150);
const splits = numberFlag('splits', args.splits, 5);
await initNodeBackend('wasm');
const base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(args.base) });

/** Logistic regression on standardised features; returns test accuracy. */
function probe(x: tf.Tensor2D, y: number[], trainIdx: number[], testIdx: number[], classes: number): number {
  return tf.tidy(() => {
    const xtr = tf.gather(x, trainIdx);
    const { mean, variance } = tf.moments(xtr, 0);
    const norm = (t: tf.Tensor) => tf.div(tf.sub(t, mean), tf.add(tf.sqrt(variance), 1e-6));
    const xt = norm(xtr) as tf.Tensor2D;
    const yt = tf.oneHot(
      trainIdx.map((i) => y[i]),
      classes,
    );
    const w = tf.variable(tf.zeros([x.shape[1], classes]));
    const b = tf.variable(tf.zeros([classes]));
    const opt = tf.train.adam(0.01);
    for (let step = 0; step < 200; step++) {
      opt.minimize(
        () =>
          tf.add(
            tf.losses.softmaxCrossEntropy(yt, tf.add(tf.matMul(xt, w), b)),
            tf.mul(1e-3, tf.sum(tf.square(w))),
          ) as tf.Scalar,
      );
    }
    const pred = tf.argMax(tf.add(tf.matMul(norm(tf.gather(x, testIdx)) as tf.Tensor2D, w), b), 1).dataSync();
    const acc = testIdx.filter((i, k) => pred[k] === y[i]).length / testIdx.length;
    tf.dispose([w, b]);
    opt.dispose();
    return acc;
  });
}

const summary: Record<string, Record<string, number>> = {};
for (const set of ['concrete', 'brick']) {
  const { labels, files } = await listLabelledImages(path.join(sharedDataPath(), set));
  const pool = labels.flatMap((l) =>
    shuffled(
      files.filter((f) => f.label === l),
      createRng(1),
    ).slice(0, nTrain * 2 + nTest),
  );
  const y = pool.map((f) => labels.indexOf(f.label));
  const images = await Promise.all(pool.map((f) => decodeImageFile(f.path)));
  summary[set] = {};
  for (const mode of PREPROCESSING_MODES) {
    const feats = tf.tidy(() =>
      tf.concat(images.map((img) => extractPooledFeatures(base, cropAndNormalise(img, base.inputSize, mode)))),
    ) as tf.Tensor2D;
    const accs: number[] = [];
    for (let s = 0; s < splits; s++) {
      const rng = createRng(100 + s);
      const trainIdx: number[] = [];
      const testIdx: number[] = [];
      labels.forEach((_, c) => {
        const idx = shuffled(
          y.flatMap((v, i) => (v === c ? [i] : [])),
          rng,
        );
        trainIdx.push(...idx.slice(0, nTrain));
        testIdx.push(...idx.slice(nTrain, nTrain + nTest));
      });
      accs.push(probe(feats, y, trainIdx, testIdx, labels.length));
    }
    feats.dispose();
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    summary[set][mode] = +mean.toFixed(4);
    console.log(
      JSON.stringify({
        set,
        mode,
        trainPerClass: nTrain,
        testPerClass: nTest,
        splits,
        meanAccuracy: mean,
        accuracies: accs,
      }),
    );
  }
  images.forEach((t) => t.dispose());
}
base.dispose();
console.log(JSON.stringify({ summary }));
