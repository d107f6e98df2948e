/**
 * What routing costs per frame (src/core/routing.ts): a routed model's classifyBatch (both heads,
 * novelty, fine map: what the live view computes) against the same model with its `routing` entry
 * removed (the new head alone), in Node on WASM, one frame at a time, taking turns in rounds so both
 * see the same machine. Prints one JSON line: median ms per frame of each and their ratio.
 *   npm run bench:routing -- --model DIR [--frames N] [--rounds N] [--base PATH]
 * DIR is a model written by `npm run finetune` with routing (the default recipe).
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBaseNetwork } from '../src/core/base';
import { loadCrackClassifier, type CrackClassifier } from '../src/core/classifier';
import { METADATA_KEY } from '../src/core/metadata';
import type { ModelReader } from '../src/core/model-io';
import { defaultBasePath, fsReader, initNodeBackend, modelJsonPath } from '../src/cli/node-io';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    frames: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    base: { type: 'string' },
  },
});
if (!args.model) throw new Error('usage: npm run bench:routing -- --model DIR [--frames N] [--rounds N] [--base PATH]');

/** Reads model files as they are, except that model.json loses its `routing` entry. */
function withoutRouting(modelJson: string): ModelReader {
  return {
    resolve: fsReader.resolve,
    async read(p: string): Promise<ArrayBuffer> {
      const bytes = await fsReader.read(p);
      if (p !== modelJson) return bytes;
      const json = JSON.parse(new TextDecoder().decode(bytes)) as {
        userDefinedMetadata: Record<string, { routing?: unknown }>;
      };
      delete json.userDefinedMetadata[METADATA_KEY].routing;
      return new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer;
    },
  };
}

/** Milliseconds per frame of `frames` classifications of `input`, each read back (as the live view does). */
async function timeFrames(classifier: CrackClassifier, input: tf.Tensor4D, frames: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < frames; i++) {
    const packed = tf.tidy(() => {
      const r = classifier.classifyBatch(input, { camClass: 'crack' });
      return tf.concat([
        tf.reshape(r.probabilities, [-1]),
        tf.reshape(r.fineCam ?? r.cam, [-1]),
        ...(r.novelty ? [r.novelty] : []),
      ]);
    });
    await packed.data();
    packed.dispose();
  }
  return (performance.now() - started) / frames;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await initNodeBackend('wasm');
  const modelJson = path.resolve(modelJsonPath(args.model as string));
  const base = await loadBaseNetwork({ reader: fsReader, modelJson: defaultBasePath(args.base) });
  const routed = await loadCrackClassifier({ reader: fsReader, modelJson, base });
  if (!routed.metadata.routing) throw new Error(`${modelJson} has no routing entry: nothing to compare`);
  const alone = await loadCrackClassifier({ reader: withoutRouting(modelJson), modelJson, base });
  const input = tf.tidy(() => routed.prepare(tf.randomUniform([480, 640, 3], 0, 255) as tf.Tensor3D));
  const frames = Number(args.frames);
  const times = { routed: [] as number[], alone: [] as number[] };
  await timeFrames(routed, input, 3); // warm-up
  await timeFrames(alone, input, 3);
  for (let r = 0; r < Number(args.rounds); r++) {
    times.alone.push(await timeFrames(alone, input, frames));
    times.routed.push(await timeFrames(routed, input, frames));
  }
  const result = {
    model: args.model,
    backend: tf.getBackend(),
    frames,
    rounds: times.routed.length,
    routedMs: Number(median(times.routed).toFixed(2)),
    newHeadAloneMs: Number(median(times.alone).toFixed(2)),
    ratio: Number((median(times.routed) / median(times.alone)).toFixed(3)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  input.dispose();
  routed.dispose();
  alone.dispose();
  base.dispose();
}

void main();
