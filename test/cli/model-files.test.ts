import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHead } from '../../src/core/classifier';
import { WEIGHTS_FILE } from '../../src/core/model-writer';
import {
  checkOutDir,
  saveModelFolder,
  syncedWriteFile,
  writeModelFolder,
  type FileWriter,
  type FolderFiles,
} from '../../src/cli/model-files';
import { fsReader } from '../../src/cli/node-io';
import { randomHeadFiles, useWasm } from '../helpers';

const FEATURES: [number, number, number] = [13, 13, 256];

/** A model folder's files: a random head and a seen.json naming `tag`. */
async function modelFiles(tag: string): Promise<FolderFiles> {
  return {
    ...(await randomHeadFiles(FEATURES, ['crack', 'nocrack'])),
    'seen.json': new TextEncoder().encode(`{"data":"${tag}","files":[]}\n`),
  };
}

/** A writer that fails like a full disk on weights.bin after writing half of it. */
const diskFullOnWeights: FileWriter = async (file, bytes) => {
  if (path.basename(file) !== WEIGHTS_FILE) return syncedWriteFile(file, bytes);
  await writeFile(file, bytes.subarray(0, bytes.byteLength >> 1));
  throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
};

/** Every file of a folder with its bytes. */
async function folderBytes(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const name of await readdir(dir)) out[name] = await readFile(path.join(dir, name));
  return out;
}

describe('model folders are written atomically', () => {
  let root: string;
  beforeAll(async () => {
    await useWasm();
    root = await mkdtemp(path.join(os.tmpdir(), 'crackcam-model-files-'));
  });

  it('writes a new folder that loads, leaving nothing beside it', async () => {
    const out = path.join(root, 'fresh', 'model');
    await writeModelFolder(out, await modelFiles('a'));
    expect((await readdir(out)).sort()).toEqual(['model.json', 'seen.json', WEIGHTS_FILE]);
    expect(await readdir(path.dirname(out))).toEqual(['model']);
    const { head } = await loadHead(fsReader, path.join(out, 'model.json'));
    head.dispose();
  });

  it('a full disk while replacing a model leaves the old one byte for byte, and no half-written files', async () => {
    const out = path.join(root, 'full-disk');
    await writeModelFolder(out, await modelFiles('old'));
    const before = await folderBytes(out);
    await expect(writeModelFolder(out, await modelFiles('new'), diskFullOnWeights)).rejects.toThrow(/ENOSPC/);
    expect(await folderBytes(out)).toEqual(before);
    expect((await readdir(root)).filter((n) => n.startsWith('.full-disk'))).toEqual([]);
  });

  it('refuses files that do not form a complete model (a short shard) and keeps the old one', async () => {
    const out = path.join(root, 'short');
    await writeModelFolder(out, await modelFiles('old'));
    const before = await folderBytes(out);
    const files = await modelFiles('new');
    await expect(
      writeModelFolder(out, { ...files, [WEIGHTS_FILE]: files[WEIGHTS_FILE].subarray(0, 100) }),
    ).rejects.toThrow(/weight data is 100 bytes/);
    expect(await folderBytes(out)).toEqual(before);
  });

  it('replacing a model swaps in the new files and keeps other files of the folder', async () => {
    const out = path.join(root, 'replace');
    await writeModelFolder(out, await modelFiles('old'));
    await writeFile(path.join(out, 'notes.txt'), 'site A');
    const files = await modelFiles('new');
    await writeModelFolder(out, files);
    const after = await folderBytes(out);
    expect(after['seen.json'].toString()).toContain('"new"');
    expect(after[WEIGHTS_FILE].equals(files[WEIGHTS_FILE])).toBe(true);
    expect(after['notes.txt'].toString()).toBe('site A');
    expect((await readdir(root)).filter((n) => n.startsWith('.replace'))).toEqual([]);
  });

  it('when --out cannot be written the trained model is saved to a temp folder and the error says where', async () => {
    const out = path.join(root, 'replace-fails');
    await writeModelFolder(out, await modelFiles('old'));
    const before = await folderBytes(out);
    const files = await modelFiles('new');
    const error = (await saveModelFolder(out, files, diskFullOnWeights).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      new RegExp(
        `could not write the model to ${out} \\(ENOSPC.*\\); ${out} is unchanged; the trained model was saved to (\\S+) instead`,
      ),
    );
    const rescued = /saved to (\S+) instead/.exec(error.message)![1];
    expect(rescued.startsWith(os.tmpdir())).toBe(true);
    expect((await folderBytes(rescued))[WEIGHTS_FILE].equals(files[WEIGHTS_FILE])).toBe(true);
    expect(await folderBytes(out)).toEqual(before);
  });
});

describe('checkOutDir', () => {
  let root: string;
  beforeAll(async () => {
    await useWasm();
    root = await mkdtemp(path.join(os.tmpdir(), 'crackcam-out-check-'));
  });

  it('accepts a new folder and an empty one, leaving nothing behind', async () => {
    await checkOutDir(path.join(root, 'new', 'deeper'), false);
    await mkdir(path.join(root, 'empty'));
    await checkOutDir(path.join(root, 'empty'), false);
    expect((await readdir(root)).sort()).toEqual(['empty']);
  });

  it('refuses a folder that holds a model unless --force is given', async () => {
    const out = path.join(root, 'has-model');
    await writeModelFolder(out, await modelFiles('old'));
    await expect(checkOutDir(out, false)).rejects.toThrow(
      `--out ${out} already holds a model (model.json); pass --force to replace it`,
    );
    await checkOutDir(out, true);
  });

  it('refuses a file, and a folder under a file, naming the problem', async () => {
    const file = path.join(root, 'a-file');
    await writeFile(file, 'x');
    await expect(checkOutDir(file, true)).rejects.toThrow(`--out ${file} is a file, not a folder`);
    await expect(checkOutDir(path.join(file, 'model'), true)).rejects.toThrow(
      `--out ${path.join(file, 'model')} cannot be written`,
    );
  });
});
