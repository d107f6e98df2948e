/** Checks of a one-class model's parts: its metadata section, its scorer, and the base under it. */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';
import type { ModelMetadata, OneClassInfo } from './metadata';
import { ModelFileError } from './model-io';
import { ONECLASS_METHODS, WHITEN_LAYER, type OneClassMethod } from './oneclass-scorer';

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks the `oneClass` section of untrusted metadata; the error names the field and what is allowed. */
export function validateOneClassInfo(value: unknown): OneClassInfo {
  if (typeof value !== 'object' || value === null)
    throw new Error('metadata has no "oneClass" section (required for kind "oneclass")');
  const o = value as Record<string, unknown>;
  const fail = (field: string, want: string): never => {
    throw new Error(`metadata field "oneClass.${field}" is ${JSON.stringify(o[field])}; expected ${want}`);
  };
  if (!ONECLASS_METHODS.includes(o.method as OneClassMethod)) fail('method', `one of ${ONECLASS_METHODS.join(', ')}`);
  if (
    !Array.isArray(o.featureLayers) ||
    o.featureLayers.length === 0 ||
    !o.featureLayers.every((l) => typeof l === 'string' && l.length > 0)
  ) {
    fail('featureLayers', 'a non-empty array of base layer names, e.g. ["fire5/concat", "fire7/concat"]');
  }
  const g = o.grid;
  if (!Array.isArray(g) || g.length !== 2 || !g.every((x) => Number.isInteger(x) && x > 0))
    fail('grid', '[height, width], positive integers');
  const cells = (g as number[])[0] * (g as number[])[1];
  if (!Number.isInteger(o.topK) || (o.topK as number) < 1 || (o.topK as number) > cells)
    fail('topK', `an integer in 1..${cells}`);
  if (!isFiniteNumber(o.threshold) || o.threshold <= 0) fail('threshold', 'a positive number');
  if (!isFiniteNumber(o.falseAlarmRate) || o.falseAlarmRate <= 0 || o.falseAlarmRate >= 1)
    fail('falseAlarmRate', 'a number in (0, 1)');
  const r = o.heatmapRange;
  if (!Array.isArray(r) || r.length !== 2 || !r.every(isFiniteNumber) || !(r[0] > 0 && r[1] > r[0]))
    fail('heatmapRange', '[low, high] with 0 < low < high');
  if (!isFiniteNumber(o.shrinkage) || o.shrinkage < 0 || o.shrinkage > 1) fail('shrinkage', 'a number in [0, 1]');
  return o as unknown as OneClassInfo;
}

/** Checks that a scorer Layers model fits its metadata. */
export function checkScorer(scorer: tf.LayersModel, info: OneClassInfo): void {
  if (scorer.inputs.length !== info.featureLayers.length) {
    throw new Error(
      `scorer has ${scorer.inputs.length} inputs but metadata lists ${info.featureLayers.length} feature layers (${info.featureLayers.join(', ')})`,
    );
  }
  let whiten: tf.layers.Layer;
  try {
    whiten = scorer.getLayer(WHITEN_LAYER);
  } catch {
    throw new Error(`scorer has no '${WHITEN_LAYER}' layer`);
  }
  const out = scorer.outputs[0].shape;
  if (scorer.outputs.length !== 1 || out.length !== 4 || out[1] !== info.grid[0] || out[2] !== info.grid[1]) {
    throw new Error(
      `scorer output [${out.join(', ')}] does not match the ${info.grid[0]}x${info.grid[1]} grid in the metadata`,
    );
  }
  const inChannels = (whiten.input as tf.SymbolicTensor).shape[3];
  if (inChannels !== out[3])
    throw new Error(`'${WHITEN_LAYER}' maps ${inChannels} channels to ${out[3]}; it must be square`);
}

/** Checks that a base provides the scorer's inputs. */
export function checkBase(base: BaseNetwork, scorer: tf.LayersModel, metadata: ModelMetadata, modelJson: string): void {
  const info = metadata.oneClass as OneClassInfo;
  const problems: string[] = [];
  if (base.weightCount !== metadata.base.weightCount)
    problems.push(`${base.weightCount} weights, model expects ${metadata.base.weightCount}`);
  if (base.inputSize !== metadata.inputSize)
    problems.push(`input ${base.inputSize}, model expects ${metadata.inputSize}`);
  info.featureLayers.forEach((name, i) => {
    let shape: (number | null)[];
    try {
      shape = (base.model.getLayer(name).output as tf.SymbolicTensor).shape;
    } catch {
      problems.push(`no layer '${name}'`);
      return;
    }
    const want = scorer.inputs[i].shape;
    if (JSON.stringify(shape.slice(1)) !== JSON.stringify(want.slice(1))) {
      problems.push(`layer '${name}' is [${shape.slice(1).join(', ')}], model expects [${want.slice(1).join(', ')}]`);
    }
  });
  if (problems.length > 0) {
    throw new ModelFileError(
      modelJson,
      `was trained on base '${metadata.base.name}' but the base at ${base.source} differs: ${problems.join('; ')}`,
    );
  }
}
