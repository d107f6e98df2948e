import * as tf from '@tensorflow/tfjs';
import { SQUEEZENET_INPUT_SIZE } from './squeezenet-geometry';
import { layersModelFromArtifacts, ModelFileError, readLayersArtifacts, type ModelReader } from './model-io';

/** Name under which the shipped SqueezeNet v1.1 base is referenced by model metadata. */
export const SQUEEZENET_BASE_NAME = 'squeezenet1_1-imagenet';
/** Last convolutional activation before pooling: 13x13x256 at 227x227 input. */
export const SQUEEZENET_FEATURE_LAYER = 'fire9/relu_expand3x3';
// SqueezeNet's native input size (227; the shipped topology says 224, it is fully convolutional).
export { SQUEEZENET_INPUT_SIZE } from './squeezenet-geometry';

/** The frozen ImageNet trunk, cut at the feature layer. */
export interface BaseNetwork {
  /** Reader path of the base model.json it was loaded from. */
  readonly source: string;
  readonly inputSize: number;
  readonly featureLayer: string;
  /** [height, width, channels] of the feature map at `inputSize`. */
  readonly featureShape: [number, number, number];
  readonly weightCount: number;
  /** Image [n, s, s, 3] (normalised) -> features [n, h, w, c]. */
  readonly model: tf.LayersModel;
  /**
   * The same network cut at another layer (weights shared, cached, freed by {@link dispose}): a
   * deep-mode model reads the layer under its fire copies (fire7/concat by default), while the default
   * model reads fire9's output.
   * @throws ModelFileError naming the base file when the layer does not exist
   */
  cut(layerName: string): tf.LayersModel;
  /** The network with several outputs at once (e.g. fire9 and fire3 from one forward pass); cached like {@link cut}. */
  cutMany(layerNames: readonly string[]): tf.LayersModel;
  /** A layer of the whole loaded network (e.g. fire9, whose weights seed a deep-mode head). */
  layer(name: string): tf.layers.Layer;
  dispose(): void;
}

/** Options of {@link loadBaseNetwork}. */
export interface BaseNetworkConfig {
  reader: ModelReader;
  /** Reader path of the base model.json. */
  modelJson: string;
  inputSize?: number;
  featureLayer?: string;
  signal?: AbortSignal;
}

/** Returns a copy of a Keras topology with the input layer's batch shape set to `size`. */
function withInputSize(topology: unknown, size: number, file: string): object {
  const copy = structuredClone(topology) as {
    model_config?: { config?: { layers?: unknown[] } };
    config?: { layers?: unknown[] };
  };
  const layers = (copy.model_config?.config?.layers ?? copy.config?.layers) as
    { class_name: string; config: { batch_input_shape?: (number | null)[] } }[] | undefined;
  const input = layers?.find((l) => l.class_name === 'InputLayer');
  if (!input?.config.batch_input_shape || input.config.batch_input_shape.length !== 4) {
    throw new ModelFileError(file, 'has no 4-D InputLayer: not a convolutional image model');
  }
  input.config.batch_input_shape = [null, size, size, input.config.batch_input_shape[3]];
  return copy;
}

/**
 * Loads the ImageNet base, runs it at `inputSize` (227 by default) by patching the input shape in
 * memory (the shared files are never edited), and cuts it at `featureLayer`.
 */
export async function loadBaseNetwork(config: BaseNetworkConfig): Promise<BaseNetwork> {
  const inputSize = config.inputSize ?? SQUEEZENET_INPUT_SIZE;
  const featureLayer = config.featureLayer ?? SQUEEZENET_FEATURE_LAYER;
  const { artifacts } = await readLayersArtifacts(config.reader, config.modelJson);
  config.signal?.throwIfAborted();
  artifacts.modelTopology = withInputSize(artifacts.modelTopology, inputSize, config.modelJson);
  const full = await layersModelFromArtifacts(config.modelJson, artifacts);
  let layer: tf.layers.Layer;
  try {
    layer = full.getLayer(featureLayer);
  } catch {
    full.dispose();
    throw new ModelFileError(config.modelJson, `has no layer '${featureLayer}' to take features from`);
  }
  const model = tf.model({ inputs: full.inputs, outputs: layer.output as tf.SymbolicTensor });
  const [, h, w, c] = model.outputs[0].shape as number[];
  const weightCount = full.countParams();
  const disposeFull = () => full.dispose();
  const cuts = new Map<string, tf.LayersModel>([[featureLayer, model]]);
  const layerOf = (name: string): tf.layers.Layer => {
    try {
      return full.getLayer(name);
    } catch {
      throw new ModelFileError(config.modelJson, `has no layer '${name}'`);
    }
  };
  // One output for one layer (predict returns a tensor), an array for several.
  const cutMany = (names: readonly string[]): tf.LayersModel => {
    const key = names.join('\n');
    let m = cuts.get(key);
    if (!m) {
      const outputs = names.map((n) => layerOf(n).output as tf.SymbolicTensor);
      m = tf.model({ inputs: full.inputs, outputs: outputs.length === 1 ? outputs[0] : outputs });
      cuts.set(key, m);
    }
    return m;
  };
  const cut = (name: string): tf.LayersModel => cutMany([name]);
  if (config.signal?.aborted) {
    disposeFull();
    config.signal.throwIfAborted();
  }
  return {
    source: config.modelJson,
    inputSize,
    featureLayer,
    featureShape: [h, w, c],
    weightCount,
    model,
    cut,
    cutMany,
    layer: layerOf,
    dispose: disposeFull,
  };
}

/**
 * The base a model runs on: `base` itself when it is a loaded network (shared), else the network at
 * that model.json path, loaded at the model's input size and cut at its feature layer.
 */
export async function baseForModel(
  base: BaseNetwork | string,
  reader: ModelReader,
  model: { inputSize: number; base: { featureLayer: string } },
  signal?: AbortSignal,
): Promise<BaseNetwork> {
  signal?.throwIfAborted();
  if (typeof base !== 'string') return base;
  return loadBaseNetwork({
    reader,
    modelJson: base,
    inputSize: model.inputSize,
    featureLayer: model.base.featureLayer,
    signal,
  });
}
