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

/** "label/file" names a model saw in training, from the seen.json `npm run train` writes beside it. */
export async function seenFiles(modelJson: string): Promise<Set<string>> {
  try {
    const seen = JSON.parse(await readFile(path.join(path.dirname(modelJson), 'seen.json'), 'utf8')) as { files?: string[] };
    return new Set(seen.files ?? []);
  } catch {
    return new Set();
  }
}
