/**
 * Writes a weight-quantised copy of a TF.js Layers model (the SqueezeNet base) for the "lighter model"
 * experiment of the benchmark: float16 or uint8 (affine per tensor) weights in TF.js's own quantised
 * manifest format, which tf.io.decodeWeights dequantises to float32 at load time. Smaller download
 * and cache; the same compute at run time.
 *
 *   npx tsx scripts/bench-quantise.ts --model ../shared/models/squeezenet1_1-imagenet/model.json \
 *     --out /tmp/base-f16 --dtype float16
 *   npm run eval -- --data DIR --base /tmp/base-f16/model.json --json
 *
 * The output goes outside the repository (the base weights are never committed).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { model: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string', default: 'float16' } },
});
if (!values.model || !values.out || !['float16', 'uint8'].includes(values.dtype)) {
  throw new Error('usage: tsx scripts/bench-quantise.ts --model MODEL.json --out DIR [--dtype float16|uint8]');
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}
interface ModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  [k: string]: unknown;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** IEEE half from a float (round to nearest even; no NaN handling needed for weights). */
function toHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 127 + 15;
  let mant = b & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

const modelPath = path.resolve(values.model);
const dir = path.dirname(modelPath);
const model = JSON.parse(readFileSync(modelPath, 'utf8')) as ModelJson;
const outDir = path.resolve(values.out);
mkdirSync(outDir, { recursive: true });
const chunks: Buffer[] = [];
const specs: WeightSpec[] = [];
let before = 0;
for (const group of model.weightsManifest) {
  const data = Buffer.concat(group.paths.map((p) => readFileSync(path.join(dir, p))));
  before += data.length;
  let offset = 0;
  for (const spec of group.weights) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== 'float32' || spec.quantization)
      throw new Error(`${spec.name}: only plain float32 weights are handled`);
    const w = new Float32Array(data.buffer.slice(data.byteOffset + offset, data.byteOffset + offset + n * 4));
    offset += n * 4;
    if (values.dtype === 'float16') {
      const h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = toHalf(w[i]);
      chunks.push(Buffer.from(h.buffer));
      specs.push({ name: spec.name, shape: spec.shape, dtype: 'float32', quantization: { dtype: 'float16' } });
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const v of w) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const scale = max > min ? (max - min) / 255 : 1;
      const q = new Uint8Array(n);
      for (let i = 0; i < n; i++) q[i] = Math.round((w[i] - min) / scale);
      chunks.push(Buffer.from(q.buffer));
      specs.push({
        name: spec.name,
        shape: spec.shape,
        dtype: 'float32',
        quantization: { dtype: 'uint8', scale, min },
      });
    }
  }
}
const weights = Buffer.concat(chunks);
writeFileSync(path.join(outDir, 'weights.bin'), weights);
writeFileSync(
  path.join(outDir, 'model.json'),
  JSON.stringify({ ...model, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }),
);
console.log(`${values.dtype}: ${before} -> ${weights.length} weight bytes in ${outDir}`);
