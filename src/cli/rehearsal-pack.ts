/**
 * A model's rehearsal pack in Node (the CLI's counterpart of src/platform/rehearsal-pack.ts): reads
 * `<model folder>/rehearsal/index.json` and gives its photos as labelled files for the trainer.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  REHEARSAL_FOLDER,
  REHEARSAL_INDEX_FILE,
  validateRehearsalIndex,
  type RehearsalIndex,
  type RehearsalIndexItem,
} from '../core/trainer-rehearsal';
import { exists, modelJsonPath, type LabelledFile } from './node-io';

/** A pack photo as a labelled file, with its surface and use. */
export interface RehearsalFile extends LabelledFile, Omit<RehearsalIndexItem, 'file'> {}

/** A rehearsal pack read from disk. */
export interface RehearsalFolder {
  dir: string;
  index: RehearsalIndex;
  files: RehearsalFile[];
}

/** The pack folder of a model given as its folder or its model.json path. */
export function rehearsalFolderOf(model: string): string {
  return path.join(path.dirname(modelJsonPath(model)), REHEARSAL_FOLDER);
}

/**
 * Reads the rehearsal pack in `dir` (a pack folder); null when it has no index.json. Throws, naming
 * the file and the problem, when the index is corrupt or lists a photo that is missing.
 */
export async function readRehearsalFolder(dir: string): Promise<RehearsalFolder | null> {
  const indexPath = path.join(dir, REHEARSAL_INDEX_FILE);
  if (!(await exists(indexPath))) return null;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (e) {
    throw new Error(`rehearsal pack: ${indexPath} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  let index: RehearsalIndex;
  try {
    index = validateRehearsalIndex(json);
  } catch (e) {
    throw new Error(`${(e as Error).message} (${indexPath})`, { cause: e });
  }
  const files: RehearsalFile[] = [];
  for (const { file, ...rest } of index.items) {
    const p = path.join(dir, file);
    if (!(await exists(p))) throw new Error(`rehearsal pack: ${p} is listed in ${indexPath} but missing`);
    files.push({ ...rest, path: p });
  }
  return { dir, index, files };
}
