/**
 * Writes a weight-quantised copy of a TF.js Layers model (the SqueezeNet base) for the "lighter model"
 * experiment of the benchmark: float16 or uint8 (affine per tensor) weights in TF.js's own quantised
 * manifest format (src/core/weight-quantise.ts), which tf.io.decodeWeights dequantises to float32 at
 * load time. Smaller download and cache; the same compute at run time. (`npm run quantise` does the
 * same for CrackCam model folders.)
 *
 *   npx tsx scripts/bench-quantise.ts --model ../shared/models/squeezenet1_1-imagenet/model.json \
 *     --out /tmp/base-f16 --dtype float16
 *   npm run eval -- --data DIR --base /tmp/base-f16/model.json --json
 *
 * The output goes outside the repository (the base weights are never committed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readLayersArtifacts } from '../src/core/model-io';
import { WEIGHTS_FILE } from '../src/core/model-writer';
import { quantiseModel, WEIGHT_STORAGE_DTYPES, type WeightStorageDtype } from '../src/core/weight-quantise';
import { fsReader, initNodeBackend } from '../src/cli/node-io';

const { values } = parseArgs({
  options: { model: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string', default: 'float16' } },
});
const dtype = values.dtype as WeightStorageDtype;
if (!values.model || !values.out || !WEIGHT_STORAGE_DTYPES.includes(dtype)) {
  throw new Error('usage: tsx scripts/bench-quantise.ts --model MODEL.json --out DIR [--dtype float16|uint8]');
}

await initNodeBackend('cpu');
const loaded = await readLayersArtifacts(fsReader, path.resolve(values.model));
const { json, weights } = quantiseModel(loaded, dtype);
const outDir = path.resolve(values.out);
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, WEIGHTS_FILE), weights.data);
writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(json));
const before = (loaded.artifacts.weightData as ArrayBuffer).byteLength;
console.log(`${dtype}: ${before} -> ${weights.data.byteLength} weight bytes in ${outDir}`);
