import { seenFor, type SeenList } from './data-sets';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { declaredModelKind } from '../core/model-io';
import { DEFAULT_MODEL, defaultBasePath, exists, fsReader, modelJsonPath } from './node-io';

/** The two kinds of CrackCam model and the commands that take each. */
export type ModelKind = 'classifier' | 'oneclass';

/** How to use a model of each kind, for errors that name the right command. */
const KIND_USE: Record<ModelKind, { what: string; use: (dir: string) => string }> = {
  classifier: {
    what: 'a classifier (crack/nocrack labels)',
    use: (dir) => `npm run eval -- --model ${dir} --data DIR, cam-eval, or finetune --model ${dir}`,
  },
  oneclass: {
    what: 'a one-class (normal-only) model',
    use: (dir) => `npm run oneclass -- --model ${dir} --eval DIR`,
  },
};

/**
 * Fails when the model.json declares the other kind of model than `command` takes, naming the
 * kind it is and the command that takes it. Unreadable files pass: the loader names their problem.
 */
export async function requireModelKind(modelJson: string, want: ModelKind, command: string): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(modelJson, 'utf8'));
  } catch {
    return;
  }
  const kind = declaredModelKind(json);
  if (kind !== 'classifier' && kind !== 'oneclass') return;
  if (kind === want) return;
  const dir = path.dirname(modelJson);
  throw new Error(
    `${modelJson} is ${KIND_USE[kind].what}, but ${command} takes ${KIND_USE[want].what}; use it with: ${KIND_USE[kind].use(dir)}`,
  );
}

/** Loads `--model` (directory or model.json; default: the committed default model) on `--base`, for `command`. */
export async function loadCliClassifier(
  model: string | undefined,
  base: string | undefined,
  command: string,
): Promise<{ classifier: CrackClassifier; modelJson: string }> {
  const modelJson = model ? modelJsonPath(model) : DEFAULT_MODEL;
  await requireModelKind(modelJson, 'classifier', command);
  const classifier = await loadCrackClassifier({ reader: fsReader, modelJson, base: defaultBasePath(base) });
  return { classifier, modelJson };
}

/**
 * The seen.json beside `modelJson` (`npm run train` and `finetune` write it); empty when there is none.
 * @throws when it is there but not JSON
 */
export async function readSeenList(modelJson: string): Promise<SeenList> {
  const file = path.join(path.dirname(modelJson), 'seen.json');
  if (!(await exists(file))) return {};
  return JSON.parse(await readFile(file, 'utf8')) as SeenList;
}

/**
 * "label/file" names a model saw in training, from the seen.json `npm run train` writes beside it.
 * Only applies to a data folder with the same name as the one trained on (file names repeat
 * across data sets: brick/crack/00001.jpg is not concrete/crack/00001.jpg).
 */
export async function seenFiles(modelJson: string, dataDir: string): Promise<Set<string>> {
  const seen = await readSeenList(modelJson).catch((): SeenList => ({})); // unreadable: nothing is skipped
  return new Set(seenFor(seen, path.basename(path.resolve(dataDir))));
}
