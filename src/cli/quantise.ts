/**
 * Writes a copy of a model folder with its weights stored as float16 (or uint8) to shrink what a phone
 * downloads and caches; the copy loads and computes like the original (see src/core/weight-quantise.ts).
 *   npm run quantise -- --model DIR --out DIR [--dtype float16|uint8] [--force]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { readLayersArtifacts } from '../core/model-io';
import { quantiseModel, WEIGHT_STORAGE_DTYPES, type WeightStorageDtype } from '../core/weight-quantise';
import { WEIGHTS_FILE } from '../core/model-writer';
import { numberFlag, parseCli, runCli, stringFlags } from './args';
import { METADATA_KEY, validateMetadata } from '../core/metadata';
import { checkOutDir, writeModelFolder, type FolderFiles } from './model-files';
import { fsReader, initNodeBackend, modelJsonPath } from './node-io';

const USAGE = `usage: npm run quantise -- --model DIR --out DIR [--dtype float16|uint8] [--version N] [--force]
  Copies the model in --model (model.json, its weights, seen.json) to --out with every float32 weight
  stored as --dtype (default float16: half the bytes; uint8: a quarter, affine per tensor). TF.js turns
  them back into float32 at load time. Check the copy with npm run eval before you ship it.
  --version N: the copy's metadata version (e.g. to ship it as the next version of the default model)
  --force: replace a model already in --out`;

async function main(): Promise<void> {
  const flags = parseCli(USAGE, { ...stringFlags('model', 'out', 'dtype', 'version'), force: { type: 'boolean' } });
  if (!flags.model || !flags.out) throw new Error(`--model and --out are required\n${USAGE}`);
  const dtype = (flags.dtype ?? 'float16') as WeightStorageDtype;
  if (!WEIGHT_STORAGE_DTYPES.includes(dtype))
    throw new Error(`--dtype ${flags.dtype}: expected one of ${WEIGHT_STORAGE_DTYPES.join(', ')}`);
  await checkOutDir(flags.out, flags.force === true);
  await initNodeBackend('cpu');
  const source = modelJsonPath(flags.model);
  const loaded = await readLayersArtifacts(fsReader, source);
  const { json, weights } = quantiseModel(loaded, dtype);
  const metadata = validateMetadata(json.userDefinedMetadata?.[METADATA_KEY]);
  const version = numberFlag('version', flags.version, metadata.version, { integer: true, min: 1 });
  const out: tf.io.ModelJSON = {
    ...json,
    userDefinedMetadata: { ...json.userDefinedMetadata, [METADATA_KEY]: { ...metadata, version } },
  };
  const files: FolderFiles = {
    'model.json': new TextEncoder().encode(JSON.stringify(out, null, 1)),
    [WEIGHTS_FILE]: weights.data,
  };
  const seen = await readFile(path.join(path.dirname(source), 'seen.json')).catch(() => undefined);
  if (seen) files['seen.json'] = new Uint8Array(seen);
  await writeModelFolder(flags.out, files);
  const before = (loaded.artifacts.weightData as ArrayBuffer).byteLength;
  process.stderr.write(`${dtype}: ${before} -> ${weights.data.byteLength} weight bytes in ${flags.out}\n`);
}

runCli(main);
