import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { DEFAULT_MODEL, defaultBasePath, fsReader, modelJsonPath } from './node-io';

/** Loads `--model` (directory or model.json; default: the committed default model) on `--base`. */
export async function loadCliClassifier(model: string | undefined, base: string | undefined): Promise<{ classifier: CrackClassifier; modelJson: string }> {
  const modelJson = model ? modelJsonPath(model) : DEFAULT_MODEL;
  const classifier = await loadCrackClassifier({ reader: fsReader, modelJson, base: defaultBasePath(base) });
  return { classifier, modelJson };
}

/**
 * "label/file" names a model saw in training, from the seen.json `npm run train` writes beside it.
 * Only applies to a data folder with the same name as the one trained on (file names repeat
 * across data sets: brick/crack/00001.jpg is not concrete/crack/00001.jpg).
 */
export async function seenFiles(modelJson: string, dataDir: string): Promise<Set<string>> {
  try {
    const seen = JSON.parse(await readFile(path.join(path.dirname(modelJson), 'seen.json'), 'utf8')) as { data?: string; files?: string[] };
    return seen.data === path.basename(path.resolve(dataDir)) ? new Set(seen.files ?? []) : new Set();
  } catch {
    return new Set();
  }
}
