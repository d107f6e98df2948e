import * as tf from '@tensorflow/tfjs';
import { checkWeightsFinite, concatBuffers } from './model-io';
import { METADATA_KEY, validateMetadata, type ModelMetadata } from './metadata';

/** File name of the weights shard written next to model.json. */
export const WEIGHTS_FILE = 'weights.bin';

/** A model as files: name -> bytes (model.json and its weight shard). */
export type ModelFiles = Record<string, Uint8Array>;

/** Model artifacts that carry their weights. */
export type LayersArtifacts = tf.io.ModelArtifacts & Required<Pick<tf.io.ModelArtifacts, 'weightSpecs' | 'weightData'>>;

/**
 * A Layers model's artifacts in memory (topology, weight specs, weights), as `tf.io.withSaveHandler`
 * gives them: what `tf.io.fromMemory` loads back, and structured-cloneable (a worker posts them).
 */
export async function modelArtifacts(model: tf.LayersModel): Promise<LayersArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured?.weightSpecs || !captured.weightData) throw new Error('model produced no weights');
  return captured as LayersArtifacts;
}

/**
 * Serialises a head with its metadata into standard TF.js Layers files (model.json + one shard)
 * that tf.loadLayersModel and {@link loadHead} read. A head whose weights are not all finite (its
 * training diverged) is refused with a ModelFileError naming the weight: it could never be loaded.
 */
export async function serializeModel(head: tf.LayersModel, metadata: ModelMetadata): Promise<ModelFiles> {
  validateMetadata(metadata);
  const captured = await modelArtifacts(head);
  const parts = Array.isArray(captured.weightData) ? captured.weightData : [captured.weightData];
  const weights = new Uint8Array(concatBuffers(parts));
  checkWeightsFinite(`model '${metadata.name}'`, captured.weightSpecs, weights.buffer);
  const json: tf.io.ModelJSON = {
    modelTopology: captured.modelTopology as tf.io.ModelJSON['modelTopology'],
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: captured.weightSpecs }],
    userDefinedMetadata: { [METADATA_KEY]: metadata as unknown as Record<string, unknown> },
  };
  return {
    'model.json': new TextEncoder().encode(JSON.stringify(json, null, 1)),
    [WEIGHTS_FILE]: weights,
  };
}
