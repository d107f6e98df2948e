import { copyFile, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEIGHTS_FILE } from '../../src/core/model-writer';
import { DEFAULT_MODEL, listImages } from '../../src/cli/node-io';
import { DATA_DIR, HAVE_SHARED } from '../helpers';
import { cli, lastJson } from './run-cli';

const DEFAULT_DIR = path.dirname(DEFAULT_MODEL);
const tmp = (prefix: string) => mkdtemp(path.join(os.tmpdir(), `crackcam-${prefix}-`));

/** A labelled folder of `n` brick photos per label, plus `broken` files that are not images in crack/. */
async function brickFolder(n: number, broken: string[] = []): Promise<string> {
  const dir = await tmp('bad-input-data');
  for (const label of ['crack', 'nocrack']) {
    await mkdir(path.join(dir, label));
    for (const f of (await listImages(path.join(DATA_DIR, 'brick', label))).slice(0, n))
      await copyFile(f, path.join(dir, label, path.basename(f)));
  }
  for (const name of broken) await writeFile(path.join(dir, 'crack', name), 'this is not a jpeg');
  return dir;
}

/** A model.json that declares a one-class model (the kind check fails before anything else is read). */
async function oneClassModelJson(): Promise<string> {
  const dir = await tmp('oneclass-kind');
  await writeFile(
    path.join(dir, 'model.json'),
    JSON.stringify({ modelTopology: {}, weightsManifest: [], userDefinedMetadata: { crackcam: { kind: 'oneclass' } } }),
  );
  return dir;
}

describe.skipIf(!HAVE_SHARED)('CLIs on bad input: clear errors, nothing lost', () => {
  let data: string;
  beforeAll(async () => {
    data = await brickFolder(3, ['broken.jpg']);
  });

  it('eval on label folders without images, and cam-eval without a masks folder, exit 1 with the reason', async () => {
    const empty = await tmp('empty-labels');
    await mkdir(path.join(empty, 'crack'));
    await mkdir(path.join(empty, 'nocrack'));
    const e = await cli('eval.ts', ['--data', empty, '--json']);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain(
      `${empty} has label folders but no .jpg, .jpeg or .png images in them: nothing to evaluate`,
    );
    const masks = path.join(empty, 'no-masks');
    const c = await cli('cam-eval.ts', ['--images', path.join(data, 'crack'), '--masks', masks, '--json']);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain(`--masks ${masks} does not exist`);
  });

  it('a model of the other kind names its kind and the command that takes it', async () => {
    const oneclass = await oneClassModelJson();
    const e = await cli('eval.ts', ['--data', data, '--model', oneclass]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(
      /is a one-class \(normal-only\) model, but npm run eval takes a classifier .* npm run oneclass -- --model/,
    );
    const o = await cli('oneclass.ts', ['--model', DEFAULT_DIR, '--eval', data]);
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(
      /is a classifier \(crack\/nocrack labels\), but npm run oneclass --model takes a one-class \(normal-only\) model; use it with: npm run eval/,
    );
  });

  it('a negative number reaches the range check; --out holding a model needs --force; both before any work', async () => {
    const neg = await cli('finetune.ts', ['--data', data, '--out', await tmp('never'), '--per-class', '-3']);
    expect(neg.code).toBe(1);
    expect(neg.stderr).toContain("--per-class must be an integer >= 2, got '-3'");
    const held = await tmp('held');
    await cp(DEFAULT_DIR, held, { recursive: true });
    const before = await readFile(path.join(held, WEIGHTS_FILE));
    const f = await cli('finetune.ts', ['--data', data, '--out', held, '--epochs', '1']);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain(`--out ${held} already holds a model (model.json); pass --force`);
    expect(f.stderr).not.toMatch(/backend|epoch/);
    expect((await readFile(path.join(held, WEIGHTS_FILE))).equals(before)).toBe(true);
  });

  it('eval refuses a model with NaN weights, naming the file and the weight', async () => {
    const broken = await tmp('nan-model');
    await cp(DEFAULT_DIR, broken, { recursive: true });
    const weights = await readFile(path.join(broken, WEIGHTS_FILE));
    // the default model stores its weights as float16 (0x7e00: NaN) or float32
    const spec = (
      JSON.parse(await readFile(path.join(broken, 'model.json'), 'utf8')) as {
        weightsManifest: { weights: { quantization?: { dtype: string } }[] }[];
      }
    ).weightsManifest[0].weights[0];
    if (spec.quantization?.dtype === 'float16') weights.writeUInt16LE(0x7e00, 0);
    else weights.writeFloatLE(NaN, 0);
    await writeFile(path.join(broken, WEIGHTS_FILE), weights);
    const first = (
      JSON.parse(await readFile(path.join(broken, 'model.json'), 'utf8')) as {
        weightsManifest: { weights: { name: string }[] }[];
      }
    ).weightsManifest[0].weights[0].name;
    const e = await cli('eval.ts', ['--data', data, '--model', broken]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain(`${path.join(broken, 'model.json')}: weight '${first}' holds NaN at index 0`);
  });

  it('train skips an unreadable photo and lists it; with every photo of a label unreadable it fails naming them', async () => {
    const out = path.join(await tmp('train-out'), 'm');
    const t = await cli('train.ts', [
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--views',
      '1',
      '--split',
      '0.7,0.3,0',
      '--hidden',
      '0',
      '--fine-layer',
      'none',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const broken = path.join(data, 'crack', 'broken.jpg');
    expect(t.stderr).toContain(`unreadable, skipped: ${broken} (not a readable JPEG/PNG`);
    expect(lastJson(t.stdout)).toMatchObject({ n: 6, unreadable: [broken] });
    const seen = JSON.parse(await readFile(path.join(out, 'seen.json'), 'utf8')) as { files: string[] };
    expect(seen.files).toHaveLength(6);
    const noCracks = await brickFolder(3);
    for (const f of await listImages(path.join(noCracks, 'crack'))) await writeFile(f, 'not a photo');
    const bad = await cli('train.ts', [
      '--data',
      noCracks,
      '--out',
      path.join(await tmp('train-out'), 'm'),
      '--split',
      '0.7,0.3,0',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no readable training photo of crack is left after skipping 3 unreadable photo\(s\)/);
  });

  it('finetune --force replaces a model, skipping and listing an unreadable photo', async () => {
    const out = await tmp('ft-force');
    await cp(DEFAULT_DIR, out, { recursive: true });
    const r = await cli('finetune.ts', [
      '--data',
      data,
      '--out',
      out,
      '--force',
      '--epochs',
      '1',
      '--views',
      '1',
      // the pack is not what this run is about: neither rehearsed nor featurised for routing
      '--no-replay',
      '--no-routing',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const broken = path.join(data, 'crack', 'broken.jpg');
    expect(r.stderr).toContain(`unreadable, skipped: ${broken}`);
    expect(lastJson(r.stdout)).toMatchObject({ n: 6, unreadable: [broken] });
    const version = (dir: string) =>
      readFile(path.join(dir, 'model.json'), 'utf8').then(
        (t) =>
          (JSON.parse(t) as { userDefinedMetadata: { crackcam: { version: number } } }).userDefinedMetadata.crackcam
            .version,
      );
    expect(await version(out)).toBe((await version(DEFAULT_DIR)) + 1);
  });

  it('oneclass skips an unreadable training photo and lists it in the summary', async () => {
    const flat = await tmp('oneclass-flat');
    for (const f of (await listImages(path.join(DATA_DIR, 'brick/nocrack'))).slice(-4))
      await copyFile(f, path.join(flat, path.basename(f)));
    await writeFile(path.join(flat, 'broken.png'), 'not a png');
    const o = await cli('oneclass.ts', [
      '--train',
      flat,
      '--eval',
      data,
      '--views',
      '1',
      '--folds',
      '2',
      '--top-k',
      '3',
      '--json',
    ]);
    expect(o.code, o.stderr).toBe(0);
    const r = lastJson(o.stdout) as { train: { n: number; unreadable: string[] }; unreadable: string[] };
    expect(r.train).toMatchObject({ n: 4, unreadable: [path.join(flat, 'broken.png')] });
    expect(r.unreadable).toEqual([path.join(data, 'crack', 'broken.jpg')]);
  });
});
