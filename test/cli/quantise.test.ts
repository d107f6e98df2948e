import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsReader } from '../../src/cli/node-io';
import { loadHead } from '../../src/core/classifier';
import { createHead } from '../../src/core/head';
import { serializeModel } from '../../src/core/model-writer';
import { metadataFor, useWasm, writeModelDir } from '../helpers';
import { cli } from './run-cli';

const SHAPE: [number, number, number] = [13, 13, 256];

describe('npm run quantise', () => {
  let source: string;
  beforeAll(async () => {
    await useWasm();
    const head = createHead(SHAPE, 2, { hidden: 8 });
    const metadata = metadataFor({ weightCount: 1, featureLayer: 'fire9/relu_expand3x3', featureShape: SHAPE }, [
      'crack',
      'nocrack',
    ]);
    source = path.dirname(await writeModelDir(await serializeModel(head, metadata)));
    head.dispose();
  });

  it('writes a float16 copy that loads and predicts like the original, with the version asked for', async () => {
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'crackcam-quantised-')), 'model');
    const r = await cli('quantise.ts', ['--model', source, '--out', out, '--version', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/float16: (\d+) -> (\d+) weight bytes/);
    const [before, after] = [await stat(path.join(source, 'weights.bin')), await stat(path.join(out, 'weights.bin'))];
    expect(after.size).toBe(before.size / 2);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.crackcam.version).toBe(3);
    expect(
      json.weightsManifest[0].weights.every((w: tf.io.WeightsManifestEntry) => w.quantization?.dtype === 'float16'),
    ).toBe(true);
    const [a, b] = [
      await loadHead(fsReader, path.join(source, 'model.json')),
      await loadHead(fsReader, path.join(out, 'model.json')),
    ];
    const x = tf.randomNormal([2, ...SHAPE], 0, 1, 'float32', 5);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.head.predict(x) as tf.Tensor, b.head.predict(x) as tf.Tensor))));
    expect(diff.dataSync()[0]).toBeLessThan(1e-2);
    expect(diff.dataSync()[0]).toBeGreaterThan(0); // the weights did change precision
    tf.dispose([x, diff]);
    a.head.dispose();
    b.head.dispose();
  });

  it('refuses an unknown storage type, naming the valid ones, and an existing model without --force', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-quantised-'));
    const bad = await cli('quantise.ts', ['--model', source, '--out', out, '--dtype', 'int4']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--dtype int4: expected one of float16, uint8/);
    const again = await cli('quantise.ts', ['--model', source, '--out', source]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already holds a model/);
  });
});
