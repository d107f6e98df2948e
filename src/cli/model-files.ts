/**
 * Writing a model folder so that a failure never costs the model already there: the new files are
 * written to a folder beside `--out`, flushed, read back and checked, and only then swapped in
 * with renames (the old folder is moved aside first and deleted last). A full disk, a read-only
 * folder or a bad model leaves `--out` as it was.
 */
import { cp, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkWeightsFinite, readLayersArtifacts } from '../core/model-io';
import { fsReader } from './node-io';

/** A model folder's files by name: model.json, its weight shard(s), seen.json. */
export type FolderFiles = Record<string, Uint8Array>;

/** Writes one file's bytes; the default flushes them to disk before it resolves. */
export type FileWriter = (file: string, bytes: Uint8Array) => Promise<void>;

/** Writes `bytes` to `file` and waits until they are on disk (fsync). */
export const syncedWriteFile: FileWriter = async (file, bytes) => {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** True for errors that mean nothing is at a path (ENOTDIR: a file stands where a folder on the way should be). */
const isMissing = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');

/** The stat of `p`, or undefined when nothing is there. */
async function statOrNone(p: string) {
  return stat(p).catch((e: unknown) => {
    if (isMissing(e)) return undefined;
    throw e;
  });
}

/** The closest folder at or above `dir` that exists. */
async function existingAncestor(dir: string): Promise<string> {
  let at = path.resolve(dir);
  while (!(await statOrNone(at))) at = path.dirname(at);
  return at;
}

/**
 * Checks `--out` before any work: it must be a folder (or not exist yet) whose parent can take
 * new files, and may hold a model (model.json) only when `force` allows replacing it.
 */
export async function checkOutDir(out: string, force: boolean): Promise<void> {
  const info = await statOrNone(out);
  if (info && !info.isDirectory())
    throw new Error(`--out ${out} is a file, not a folder; give a folder for model.json, weights.bin and seen.json`);
  if (info && !force && (await statOrNone(path.join(out, 'model.json')))) {
    throw new Error(
      `--out ${out} already holds a model (model.json); pass --force to replace it (it is kept until the new one is written and checked), or choose another folder`,
    );
  }
  const parent = await existingAncestor(path.dirname(path.resolve(out)));
  const probe = await mkdtemp(path.join(parent, '.crackcam-write-check-')).catch((e: Error) => {
    throw new Error(`--out ${out} cannot be written: ${parent} does not take new files (${e.message})`);
  });
  await rm(probe, { recursive: true, force: true });
}

/** Writes every file into `dir` with `write`. */
async function writeAll(dir: string, files: FolderFiles, write: FileWriter): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) await write(path.join(dir, name), bytes);
}

/** Reads the written files back: the same bytes, a complete TF.js model, and finite weights. */
async function verifyWritten(dir: string, files: FolderFiles): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) {
    const back = await readFile(path.join(dir, name));
    if (!back.equals(bytes))
      throw new Error(
        `${name} reads back as ${back.byteLength} bytes that differ from the ${bytes.byteLength} written`,
      );
  }
  if (!files['model.json']) return;
  const { artifacts } = await readLayersArtifacts(fsReader, path.join(dir, 'model.json'));
  checkWeightsFinite(path.join(dir, 'model.json'), artifacts.weightSpecs ?? [], artifacts.weightData as ArrayBuffer);
}

/** Shard names an existing model.json lists (empty when it cannot be read). */
async function listedShards(modelJson: string): Promise<string[]> {
  try {
    const json = JSON.parse(await readFile(modelJson, 'utf8')) as { weightsManifest?: { paths?: unknown }[] };
    return (json.weightsManifest ?? []).flatMap((g) =>
      Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : [],
    );
  } catch {
    return [];
  }
}

/** Copies what else lives in the old folder (not the old model's files) into the new one. */
async function carryOver(oldDir: string, newDir: string, files: FolderFiles): Promise<void> {
  const oldModel = new Set(['model.json', ...(await listedShards(path.join(oldDir, 'model.json')))]);
  for (const name of await readdir(oldDir)) {
    if (name in files || oldModel.has(name)) continue;
    await cp(path.join(oldDir, name), path.join(newDir, name), { recursive: true, preserveTimestamps: true });
  }
}

/** Puts `staged` at `out`, moving an existing `out` aside first and back if the swap fails. */
async function swapIn(staged: string, out: string): Promise<void> {
  if (!(await statOrNone(out))) {
    await rename(staged, out);
    return;
  }
  const aside = path.join(path.dirname(out), `.${path.basename(out)}.old-${process.pid}-${Date.now()}`);
  await rename(out, aside);
  try {
    await rename(staged, out);
  } catch (e) {
    await rename(aside, out);
    throw e;
  }
  await rm(aside, { recursive: true, force: true });
}

/**
 * Writes a model folder atomically: beside `out`, verified, then renamed into place. On any
 * failure the folder beside is removed and `out` is exactly as it was.
 */
export async function writeModelFolder(
  out: string,
  files: FolderFiles,
  write: FileWriter = syncedWriteFile,
): Promise<void> {
  const target = path.resolve(out);
  await mkdir(path.dirname(target), { recursive: true });
  const staged = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.new-`));
  try {
    await writeAll(staged, files, write);
    await verifyWritten(staged, files);
    if (await statOrNone(target)) await carryOver(target, staged, files);
    await swapIn(staged, target);
  } catch (e) {
    await rm(staged, { recursive: true, force: true });
    throw e;
  }
}

/** Writes the model into a new folder under the system's temp folder; returns that folder. */
export async function rescueModelFolder(name: string, files: FolderFiles): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'crackcam-unsaved-')), name);
  await writeModelFolder(dir, files);
  return dir;
}

/**
 * Writes a trained model to `out`; when that fails (disk full, folder gone read-only) the model
 * is written to a temp folder instead and the error says where, so that the training is not lost.
 */
export async function saveModelFolder(
  out: string,
  files: FolderFiles,
  write: FileWriter = syncedWriteFile,
): Promise<void> {
  try {
    await writeModelFolder(out, files, write);
  } catch (e) {
    const reason = (e as Error).message;
    const rescued = await rescueModelFolder(path.basename(path.resolve(out)), files).then(
      (dir) => `the trained model was saved to ${dir} instead`,
      (r: Error) => `saving it to the temp folder failed too (${r.message})`,
    );
    throw new Error(`could not write the model to ${out} (${reason}); ${out} is unchanged; ${rescued}`, { cause: e });
  }
}
