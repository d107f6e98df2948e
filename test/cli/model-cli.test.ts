import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireModelKind } from '../../src/cli/model-cli';

/** A model.json that declares `kind` in its CrackCam metadata (the kind check reads nothing else). */
async function modelJsonOfKind(kind: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-kind-'));
  const file = path.join(dir, 'model.json');
  await writeFile(
    file,
    JSON.stringify({ modelTopology: {}, weightsManifest: [], userDefinedMetadata: { crackcam: { kind } } }),
  );
  return file;
}

describe('requireModelKind', () => {
  it('passes the kind the command takes', async () => {
    await requireModelKind(await modelJsonOfKind('classifier'), 'classifier', 'npm run eval');
    await requireModelKind(await modelJsonOfKind('oneclass'), 'oneclass', 'npm run oneclass --model');
  });

  it('a one-class model given to a classifier command says what it is and which command takes it', async () => {
    const file = await modelJsonOfKind('oneclass');
    await expect(requireModelKind(file, 'classifier', 'npm run eval')).rejects.toThrow(
      `${file} is a one-class (normal-only) model, but npm run eval takes a classifier (crack/nocrack labels); use it with: npm run oneclass -- --model ${path.dirname(file)} --eval DIR`,
    );
  });

  it('a classifier given to the one-class command says so and names eval', async () => {
    const file = await modelJsonOfKind('classifier');
    await expect(requireModelKind(file, 'oneclass', 'npm run oneclass --model')).rejects.toThrow(
      /is a classifier \(crack\/nocrack labels\), but npm run oneclass --model takes a one-class \(normal-only\) model; use it with: npm run eval -- --model/,
    );
  });

  it('leaves unreadable files and undeclared kinds to the loader', async () => {
    await requireModelKind(path.join(os.tmpdir(), 'no-such-model', 'model.json'), 'classifier', 'npm run eval');
    await requireModelKind(await modelJsonOfKind('something-else'), 'classifier', 'npm run eval');
  });
});
