import * as tf from '@tensorflow/tfjs';
import { METADATA_KEY } from './metadata';

/**
 * Where model files come from. Core code stays free of DOM and Node APIs: the browser passes a
 * fetch-based reader, the CLIs a file-system one. Paths are resolved by the reader.
 */
export interface ModelReader {
  /** Reads a file as bytes; rejects if it is missing or unreadable. */
  read(path: string): Promise<ArrayBuffer>;
  /** Resolves `relative` against the folder of `from` (both reader paths). */
  resolve(from: string, relative: string): string;
}

/** A problem with a model file: says which file and what is wrong with it. */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ModelFileError';
  }
}

/** Parsed TF.js model.json plus its weights, checked for consistency. */
export interface LoadedArtifacts {
  json: tf.io.ModelJSON;
  artifacts: tf.io.ModelArtifacts;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

/** Bytes a weights manifest says its data occupies (before any quantisation expansion). */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const s of specs) {
    const count = s.shape.reduce((a, b) => a * b, 1);
    const dtype = s.quantization?.dtype ?? s.dtype;
    const bytes = DTYPE_BYTES[dtype];
    if (bytes === undefined) throw new Error(`weight ${s.name}: unsupported dtype ${dtype}`);
    total += count * bytes;
  }
  return total;
}

/** Decodes UTF-8 JSON, naming the file in the error. */
export function parseJsonFile(file: string, bytes: ArrayBuffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ModelFileError(file, 'is not UTF-8 text (expected a model.json)');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ModelFileError(file, `is not valid JSON (${(e as Error).message})`);
  }
}

async function readFile(reader: ModelReader, path: string, what: string): Promise<ArrayBuffer> {
  try {
    return await reader.read(path);
  } catch (e) {
    throw new ModelFileError(path, `${what} could not be read (${(e as Error).message})`);
  }
}

/**
 * Reads a TF.js Layers model.json and all its weight shards, and checks that the JSON has the
 * expected structure and that every shard exists and together holds exactly the declared bytes.
 * Nothing is turned into tensors here, so a bad file never half-loads.
 */
export async function readLayersArtifacts(reader: ModelReader, modelJsonPath: string): Promise<LoadedArtifacts> {
  const raw = parseJsonFile(modelJsonPath, await readFile(reader, modelJsonPath, 'model.json'));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelFileError(modelJsonPath, 'is not a TF.js model.json (expected a JSON object)');
  }
  const json = raw as Partial<tf.io.ModelJSON>;
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw new ModelFileError(modelJsonPath, 'has no "modelTopology": not a TF.js Layers model.json');
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw new ModelFileError(modelJsonPath, 'has no "weightsManifest" array');
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(modelJsonPath, 'has a weightsManifest group without "paths" and "weights"');
    }
    const groupBuffers: ArrayBuffer[] = [];
    for (const p of group.paths) {
      const shardPath = reader.resolve(modelJsonPath, p);
      groupBuffers.push(await readFile(reader, shardPath, `weight shard '${p}' listed in ${modelJsonPath}`));
    }
    const got = groupBuffers.reduce((a, b) => a + b.byteLength, 0);
    let want: number;
    try {
      want = expectedWeightBytes(group.weights);
    } catch (e) {
      throw new ModelFileError(modelJsonPath, (e as Error).message);
    }
    if (got !== want) {
      throw new ModelFileError(
        reader.resolve(modelJsonPath, group.paths[group.paths.length - 1] ?? ''),
        `weight data is ${got} bytes but ${modelJsonPath} declares ${want} (truncated or mismatched shard)`,
      );
    }
    specs.push(...group.weights);
    buffers.push(...groupBuffers);
  }
  const weightData = concatBuffers(buffers);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    userDefinedMetadata: json.userDefinedMetadata,
  };
  return { json: json as tf.io.ModelJSON, artifacts };
}

/** Concatenates buffers into one (weights are addressed by offset across shards). */
export function concatBuffers(buffers: readonly ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

/** Weights of floating-point type: the ones that can hold NaN or Infinity. */
const FLOAT_DTYPES: readonly string[] = ['float32', 'float16'];

/**
 * The first weight that holds NaN or ±Infinity, described ("'dense/kernel' holds NaN at index 3
 * (2 of 128 values are not finite)"), or undefined when every value is finite.
 */
export function describeNonFiniteWeight(values: tf.NamedTensorMap): string | undefined {
  for (const [name, tensor] of Object.entries(values)) {
    if (!FLOAT_DTYPES.includes(tensor.dtype)) continue;
    const data = tensor.dataSync() as Float32Array;
    let first = -1;
    let count = 0;
    for (let i = 0; i < data.length; i++) {
      if (Number.isFinite(data[i])) continue;
      if (first < 0) first = i;
      count++;
    }
    if (first >= 0)
      return `'${name}' holds ${data[first]} at index ${first} (${count} of ${data.length} values are not finite)`;
  }
  return undefined;
}

function nonFiniteWeightError(file: string, bad: string): ModelFileError {
  return new ModelFileError(
    file,
    `weight ${bad}: a model with NaN or infinite weights cannot be used (did its training diverge?)`,
  );
}

/**
 * Checks that every weight in `weightData` is finite, naming the file and the first bad weight
 * (a model whose training diverged predicts NaN on every image). Leaves no tensors behind.
 * @throws ModelFileError
 */
export function checkWeightsFinite(
  file: string,
  specs: readonly tf.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
): void {
  const values = tf.io.decodeWeights(weightData, [...specs]);
  try {
    const bad = describeNonFiniteWeight(values);
    if (bad) throw nonFiniteWeightError(file, bad);
  } finally {
    tf.dispose(Object.values(values));
  }
}

/** The model kind a model.json's CrackCam metadata declares ("classifier", "oneclass"), without checking the rest. */
export function declaredModelKind(json: unknown): string | undefined {
  const meta = (json as { userDefinedMetadata?: Record<string, unknown> } | null)?.userDefinedMetadata?.[METADATA_KEY];
  const kind = (meta as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === 'string' ? kind : undefined;
}

/** Problems with the weights a topology needs: missing, misshapen or unused names (empty when they fit). */
function weightSpecProblems(model: tf.LayersModel, specs: readonly tf.io.WeightsManifestEntry[]): string[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const problems: string[] = [];
  for (const w of model.weights) {
    const spec = byName.get(w.originalName);
    if (!spec) problems.push(`no weights for '${w.originalName}'`);
    else if (JSON.stringify(spec.shape) !== JSON.stringify(w.shape)) {
      problems.push(
        `'${w.originalName}' has shape [${spec.shape.join(', ')}], the topology needs [${w.shape.join(', ')}]`,
      );
    }
    byName.delete(w.originalName);
  }
  if (byName.size > 0) problems.push(`unused weights ${[...byName.keys()].join(', ')}`);
  return problems;
}

/**
 * Builds a Layers model from checked artifacts. The topology is built first and every weight's name
 * and shape is checked against it, and every value checked to be finite, before any weight is
 * loaded, so a mismatched or broken file fails with a ModelFileError naming the file (and the
 * weight) and leaves no tensors behind.
 */
export async function layersModelFromArtifacts(file: string, artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: artifacts.modelTopology } as tf.io.ModelJSON as never);
  } catch (e) {
    throw new ModelFileError(file, `has a topology TF.js cannot build (${(e as Error).message})`);
  }
  try {
    const specs = artifacts.weightSpecs ?? [];
    const problems = weightSpecProblems(model, specs);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const values = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, specs);
    try {
      const bad = describeNonFiniteWeight(values);
      if (bad) throw nonFiniteWeightError(file, bad);
      model.loadWeights(values, true);
    } finally {
      tf.dispose(Object.values(values));
    }
    return model;
  } catch (e) {
    model.dispose();
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(file, `does not form a valid model (${(e as Error).message})`);
  }
}
