/**
 * Which input normalisation do the base weights expect? For each candidate, a logistic-regression
 * probe on globally pooled fire9 features is trained on `--train` images per class and tested on
 * other images. Prints one JSON line per data set and mode. Usage:
 *   npm run probe-preprocessing -- [--train 100] [--test 200] [--base PATH]
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBaseNetwork } from '../src/core/base';
import { extractPooledFeatures } from '../src/core/features';
import { cropAndNormalise, PREPROCESSING_MODES } from '../src/core/preprocess';
import { createRng, shuffled } from '../src/core/random';
import { decodeImageFile, defaultBasePath, fsReader, initNodeBackend, listLabelledImages, sharedDataPath } from '../src/cli/node-io';

const { values } = parseArgs({ options: { train: { type: 'string', default: '100' }, test: { type: 'string', default: '200' }, base: { type: 'string' } } });
const nTrain = Number(values.train);
const nTest = Number(values.test);
await initNodeBackend('wasm');
const base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(values.base) });

for (const set of ['concrete', 'brick']) {
  const { labels, files } = await listLabelledImages(path.join(sharedDataPath(), set));
  const rng = createRng(1);
  const chosen = labels.flatMap((l) => shuffled(files.filter((f) => f.label === l), rng).slice(0, nTrain + nTest).map((f, i) => ({ ...f, train: i < nTrain })));
  const images = await Promise.all(chosen.map((f) => decodeImageFile(f.path)));
  for (const mode of PREPROCESSING_MODES) {
    const feats = tf.tidy(() => tf.concat(images.map((img) => extractPooledFeatures(base, cropAndNormalise(img, base.inputSize, mode)))));
    const y = chosen.map((f) => labels.indexOf(f.label));
    const trIdx = chosen.flatMap((f, i) => (f.train ? [i] : []));
    const teIdx = chosen.flatMap((f, i) => (f.train ? [] : [i]));
    const result = tf.tidy(() => {
      const xtr = tf.gather(feats, trIdx);
      const mean = tf.mean(xtr, 0);
      const std = tf.add(tf.sqrt(tf.moments(xtr, 0).variance), 1e-6);
      const norm = (x: tf.Tensor) => tf.div(tf.sub(x, mean), std);
      const w = tf.variable(tf.zeros([feats.shape[1], labels.length]));
      const b = tf.variable(tf.zeros([labels.length]));
      const opt = tf.train.adam(0.01);
      const xt = norm(xtr);
      const yt = tf.oneHot(trIdx.map((i) => y[i]), labels.length);
      for (let step = 0; step < 300; step++) {
        opt.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(yt, tf.add(tf.matMul(xt, w), b)), tf.mul(1e-3, tf.sum(tf.square(w)))) as tf.Scalar);
      }
      const pred = tf.argMax(tf.add(tf.matMul(norm(tf.gather(feats, teIdx)), w), b), 1).dataSync();
      const acc = teIdx.filter((i, k) => pred[k] === y[i]).length / teIdx.length;
      w.dispose();
      b.dispose();
      opt.dispose();
      return acc;
    });
    feats.dispose();
    console.log(JSON.stringify({ set, mode, trainPerClass: nTrain, testN: teIdx.length, probeAccuracy: result }));
  }
  images.forEach((t) => t.dispose());
}
base.dispose();
