/**
 * What one deep-mode training step costs on WASM in Node, with the trainer's matrix product
 * (src/core/matmul-grad.ts: its gradient multiplies untransposed matrices) against tf.matMul (whose
 * gradient uses transposed products, which TF.js's WASM backend computes without XNNPACK). The step is
 * the trainer's shape: cached fire7 maps [batch, 13, 13, 384] through copies of fire8 and fire9 (a 1x1
 * squeeze, the expand as one 3x3 conv), a hidden 1x1 layer of 64, pooling and the classifier, then
 * the gradients of every weight. Random weights and inputs (the cost does not depend on them); the
 * two products take turns in rounds so both see the same machine. Prints one JSON line.
 *   npm run bench:train-step -- [--batch N] [--rounds N]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initNodeBackend } from '../src/cli/node-io';
import { im2col3x3 } from '../src/core/head';
import { matMul } from '../src/core/matmul-grad';

type Product = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
type Dense = { kernel: tf.Variable; bias: tf.Variable };

const { values: args } = parseArgs({
  options: { batch: { type: 'string', default: '48' }, rounds: { type: 'string', default: '3' } },
});

const dense = (k: number, c: number, seed: number): Dense => ({
  kernel: tf.variable(tf.randomNormal([k, c], 0, Math.sqrt(2 / k), 'float32', seed)),
  bias: tf.variable(tf.zeros([c])),
});

/** relu(x . W + b) over the last axis of [n, h, w, K]. */
function conv1x1(x: tf.Tensor4D, d: Dense, product: Product): tf.Tensor4D {
  const [n, h, w, k] = x.shape;
  const y = tf.relu(tf.add(product(tf.reshape(x, [n * h * w, k]), d.kernel as tf.Tensor2D), d.bias)); // [n*h*w, C]
  return tf.reshape(y, [n, h, w, d.kernel.shape[1] as number]);
}

/** A 3x3 'same' conv + ReLU as im2col + product, as the trainer computes it. */
function conv3x3(x: tf.Tensor4D, d: Dense, product: Product): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const y = tf.relu(tf.add(product(im2col3x3(x), d.kernel as tf.Tensor2D), d.bias)); // [n*h*w, E]
  return tf.reshape(y, [n, h, w, d.kernel.shape[1] as number]);
}

async function main(): Promise<void> {
  await initNodeBackend('wasm');
  const batch = Number(args.batch);
  const fires = [
    { squeeze: dense(384, 64, 1), expand: dense(9 * 64, 512, 2) }, // fire8
    { squeeze: dense(512, 64, 3), expand: dense(9 * 64, 512, 4) }, // fire9
  ];
  const hidden = dense(512, 64, 5);
  const out = dense(64, 2, 6);
  const vars = [...fires.flatMap((f) => [f.squeeze, f.expand]), hidden, out].flatMap((d) => [d.kernel, d.bias]);
  const x = tf.randomNormal([batch, 13, 13, 384], 0, 1, 'float32', 7) as tf.Tensor4D; // cached fire7 maps
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 2),
      'int32',
    ),
    2,
  ); // [batch, 2]
  const loss = (product: Product) => () => {
    let a = x;
    for (const f of fires) a = conv3x3(conv1x1(a, f.squeeze, product), f.expand, product); // [b, 13, 13, 512]
    const pooled = tf.mean(conv1x1(a, hidden, product), [1, 2]) as tf.Tensor2D; // [b, 64]
    return tf.losses.softmaxCrossEntropy(y, tf.add(product(pooled, out.kernel as tf.Tensor2D), out.bias)) as tf.Scalar;
  };
  const stepMs = (product: Product): number => {
    const started = performance.now();
    const { value, grads } = tf.variableGrads(loss(product), vars);
    tf.stack(Object.values(grads).map((g) => tf.sum(g))).dataSync();
    const ms = performance.now() - started;
    tf.dispose([value, ...Object.values(grads)]);
    return ms;
  };
  const products: Record<'fastGradient' | 'tfMatMul', Product> = { fastGradient: matMul, tfMatMul: tf.matMul };
  for (const p of Object.values(products)) stepMs(p); // warm-up
  const times = { fastGradient: [] as number[], tfMatMul: [] as number[] };
  for (let r = 0; r < Number(args.rounds); r++) {
    times.tfMatMul.push(stepMs(products.tfMatMul));
    times.fastGradient.push(stepMs(products.fastGradient));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [fast, slow] = [median(times.fastGradient), median(times.tfMatMul)];
  console.log(
    JSON.stringify({
      backend: tf.getBackend(),
      batch,
      rounds: Number(args.rounds),
      stepMs: { fastGradient: Math.round(fast), tfMatMul: Math.round(slow) },
      speedup: Number((slow / fast).toFixed(2)),
    }),
  );
}

void main();
