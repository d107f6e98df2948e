import * as tf from '@tensorflow/tfjs';
import { baseForModel, type BaseNetwork } from './base';
import { CAM_SCORES, type CamScore } from './gradcam';
import {
  CLASSIFIER_LAYER,
  FINE_LAYER,
  HIDDEN_LAYER,
  hasLayer,
  headForward,
  headWeightsOf,
  headWeightTensors,
  type HeadWeights,
} from './head';
import { METADATA_KEY, validateMetadata, type ModelMetadata } from './metadata';
import { layersModelFromArtifacts, ModelFileError, readLayersArtifacts, type ModelReader } from './model-io';
import { createNoveltyModel, noveltyLayerOf, poolFeatures, type NoveltyModel } from './novelty';
import { cropAndNormalise, imageTensor, type ImageInput } from './preprocess';
import { createRoutedHead, routedForward, type RoutedHead, type RoutedInputs } from './routing';
import { oldHeadLayerOf } from './routing-info';

/** Anything the classifier can look at (defined in preprocess.ts, with the model-independent image code). */
export type { ImageInput };

/** Options of {@link CrackClassifier.classify}. */
export interface ClassifyOptions {
  /** Class whose Grad-CAM map is computed: index, label, or 'predicted' (default). */
  camClass?: number | string | 'predicted';
  /** Score to differentiate; default 'softmax', as in the MATLAB reference. */
  camScore?: CamScore;
  /** Rectify the map before rescaling (default true). */
  relu?: boolean;
  /** Side of the centred square used, as a fraction of the shorter image side; default from config. */
  cropFraction?: number;
  /** Compute the fine map too when the model has a fine head (default true). */
  fineMap?: boolean;
  /** Score novelty too when the model has a novelty model (default true). */
  novelty?: boolean;
}

/** How familiar a photo is to a model with a novelty model (see src/core/novelty.ts). */
export interface Familiarity {
  /** Squared Mahalanobis distance of the photo's pooled features to the nearest training group. */
  score: number;
  /** The model's threshold; above it the photo is unfamiliar. */
  threshold: number;
  unfamiliar: boolean;
}

/** Result of one classification. */
export interface Classification {
  labels: readonly string[];
  /** [C] softmax probabilities, in `labels` order. */
  probabilities: Float32Array;
  classIndex: number;
  label: string;
  probability: number;
  /** Class the map explains. */
  camClassIndex: number;
  /** [h * w] row-major Grad-CAM map rescaled to [0, 1]. */
  cam: Float32Array;
  camHeight: number;
  camWidth: number;
  /** [fineHeight * fineWidth] the fine map of the same class (models with a fine head). */
  fineCam?: Float32Array;
  fineHeight?: number;
  fineWidth?: number;
  /** For a model with a novelty model: whether the photo looks like what it was trained on. */
  familiarity?: Familiarity;
}

/** Tensors of one classification, for callers that keep work on the GPU (the frame loop). */
export interface ClassificationTensors {
  /** [n, C] */
  probabilities: tf.Tensor2D;
  /** [n] */
  camClass: tf.Tensor1D;
  /** [n, h, w] in [0, 1] */
  cam: tf.Tensor3D;
  /** [n, h_f, w_f] in [0, 1]: the fine map (see `fineMap` in head.ts), for a model with a fine head. */
  fineCam?: tf.Tensor3D;
  /** [n] novelty scores (squared distances, see {@link Familiarity}), for a model with a novelty model. */
  novelty?: tf.Tensor1D;
  /** [n] int32, for a site-adapted model that keeps its old head (metadata `routing`): 1 where the adapted head answered. */
  ownHead?: tf.Tensor1D;
}

/** A crack / no-crack (or N-class) classifier with one-pass Grad-CAM. */
export interface CrackClassifier {
  readonly metadata: ModelMetadata;
  readonly labels: readonly string[];
  readonly inputSize: number;
  readonly base: BaseNetwork;
  /**
   * The base cut where this model reads its features: image [n, s, s, 3] -> features [n, h, w, K],
   * and for a model with a fine head also the fine features [n, h_f, w_f, K_f] (two outputs).
   */
  readonly features: tf.LayersModel;
  /** Classifies the centred square of an image and explains one class, from one forward pass. */
  classify(image: ImageInput, options?: ClassifyOptions): Promise<Classification>;
  /**
   * Same as classify on a prepared batch, returning tensors (the caller disposes them).
   * @param input [n, s, s, 3] already cropped and normalised (see {@link CrackClassifier.prepare})
   */
  classifyBatch(input: tf.Tensor4D, options?: ClassifyOptions): ClassificationTensors;
  /** Crops, resizes and normalises an image: [1, s, s, 3]. The caller disposes it. */
  prepare(image: ImageInput, cropFraction?: number): tf.Tensor4D;
  /** The head as a Layers model: features [n, h, w, K] -> logits [n, C] (with a fine head: [features, fine] -> [logits, fine logits]). */
  readonly head: tf.LayersModel;
  dispose(): void;
}

/** Configuration of {@link loadCrackClassifier}. */
export interface CrackClassifierConfig {
  reader: ModelReader;
  /** Reader path of the head's model.json. */
  modelJson: string;
  /** A loaded base to share (not disposed by the classifier), or the path of the base model.json. */
  base: BaseNetwork | string;
  /** Default crop fraction, (0, 1]; 1 = the largest centred square. */
  cropFraction?: number;
  signal?: AbortSignal;
}

const DEFAULTS = { cropFraction: 1 };

/** Reads and checks a CrackCam head: metadata, topology and weight shapes. */
export async function loadHead(
  reader: ModelReader,
  modelJson: string,
): Promise<{ head: tf.LayersModel; metadata: ModelMetadata }> {
  const { artifacts } = await readLayersArtifacts(reader, modelJson);
  let metadata: ModelMetadata;
  try {
    metadata = validateMetadata((artifacts.userDefinedMetadata as Record<string, unknown> | undefined)?.[METADATA_KEY]);
  } catch (e) {
    throw new ModelFileError(modelJson, (e as Error).message);
  }
  const head = await layersModelFromArtifacts(modelJson, artifacts);
  try {
    const inShape = head.inputs[0].shape.slice(1);
    if (JSON.stringify(inShape) !== JSON.stringify(metadata.base.featureShape)) {
      throw new Error(
        `head input shape [${inShape.join(', ')}] does not match metadata featureShape [${metadata.base.featureShape.join(', ')}]`,
      );
    }
    const fineShape = metadata.base.fineShape;
    if (head.inputs.length !== (fineShape ? 2 : 1) || head.outputs.length !== head.inputs.length) {
      throw new Error(
        `head has ${head.inputs.length} inputs and ${head.outputs.length} outputs; metadata ${fineShape ? 'names a fine layer: expected 2 and 2' : 'names no fine layer: expected 1 and 1'}`,
      );
    }
    const fineIn = head.inputs[1]?.shape.slice(1);
    if (fineShape && JSON.stringify(fineIn) !== JSON.stringify(fineShape)) {
      throw new Error(
        `head fine input shape [${fineIn?.join(', ')}] does not match metadata fineShape [${fineShape.join(', ')}]`,
      );
    }
    const outShape = head.outputs[head.outputs.length - 1].shape;
    if (head.outputs.some((o) => o.shape.length !== 2 || o.shape[1] !== metadata.labels.length)) {
      throw new Error(
        `head outputs ${outShape[1]} classes but metadata lists ${metadata.labels.length} labels (${metadata.labels.join(', ')})`,
      );
    }
    try {
      head.getLayer(CLASSIFIER_LAYER);
    } catch {
      throw new Error(`head has no '${CLASSIFIER_LAYER}' layer`);
    }
    const routingProblem = metadata.routing && oldHeadMismatch(head, metadata);
    if (routingProblem) throw new Error(routingProblem);
  } catch (e) {
    head.dispose();
    throw new ModelFileError(modelJson, (e as Error).message);
  }
  return { head, metadata };
}

/** Why the old head of a routed model cannot sit on this head's trunk, or undefined when it can. */
function oldHeadMismatch(head: tf.LayersModel, metadata: ModelMetadata): string | undefined {
  const old = metadata.routing?.head;
  if (!old) return undefined;
  const inputsOf = (name: string) => head.getLayer(name).getWeights()[0].shape[2]; // kernel [1, 1, K, C]
  if (old.trunk && metadata.routing?.featureLayer === undefined) {
    // (copies on another base layer are checked against the base at load: featureModelFor)
    const [want, got] = [metadata.base.featureShape[2], old.trunk[0].squeeze.inputs];
    if (got !== want) return `routing's old fire copies read ${got} channels, the base map has ${want}`;
  } else if (!old.trunk) {
    const trunkOut = inputsOf(hasLayer(head, HIDDEN_LAYER) ? HIDDEN_LAYER : CLASSIFIER_LAYER);
    const oldIn = (old.hidden ?? old.out).inputs;
    if (oldIn !== trunkOut) return `routing's old head reads ${oldIn} channels, this head's trunk gives ${trunkOut}`;
  }
  const hasFine = hasLayer(head, FINE_LAYER);
  if ((old.fine !== undefined) !== hasFine)
    return `routing's old head ${old.fine ? 'has' : 'lacks'} a fine head, this head does not`;
  if (old.fine && old.fine.inputs !== inputsOf(FINE_LAYER))
    return `routing's old fine head reads ${old.fine.inputs} channels, the fine layer gives ${inputsOf(FINE_LAYER)}`;
  return undefined;
}

/**
 * The base network cut where the model reads its features (the base may be shared and cut
 * elsewhere: the default model reads fire9/concat; a deep-mode model the layer under its fire
 * copies, fire7/concat for the default fire8 + fire9 copies, fire8/concat for an older fire9-only
 * one), after checking it is the base the model was trained on.
 */
function featureModelFor(base: BaseNetwork, metadata: ModelMetadata, modelJson: string): tf.LayersModel {
  const want = metadata.base;
  const problems: string[] = [];
  if (base.weightCount !== want.weightCount)
    problems.push(`${base.weightCount} weights, model expects ${want.weightCount}`);
  if (base.inputSize !== metadata.inputSize)
    problems.push(`input ${base.inputSize}, model expects ${metadata.inputSize}`);
  let features: tf.LayersModel | undefined;
  try {
    if (want.fineLayer) features = base.cutMany([want.featureLayer, want.fineLayer]);
    else features = base.featureLayer === want.featureLayer ? base.model : base.cut(want.featureLayer);
  } catch {
    problems.push(
      `it has no feature layer '${want.featureLayer}'${want.fineLayer ? ` or fine layer '${want.fineLayer}'` : ''}`,
    );
  }
  const shape = features?.outputs[0].shape.slice(1) as number[] | undefined;
  if (shape && JSON.stringify(shape) !== JSON.stringify(want.featureShape)) {
    problems.push(`features [${shape.join(', ')}], model expects [${want.featureShape.join(', ')}]`);
  }
  const fineShape = features?.outputs[1]?.shape.slice(1) as number[] | undefined;
  if (fineShape && JSON.stringify(fineShape) !== JSON.stringify(want.fineShape)) {
    problems.push(`fine features [${fineShape.join(', ')}], model expects [${want.fineShape?.join(', ')}]`);
  }
  problems.push(...otherMapProblems(base, metadata));
  if (problems.length > 0 || !features) {
    throw new ModelFileError(
      modelJson,
      `was trained on base '${want.name}' but the base at ${base.source} differs: ${problems.join('; ')}`,
    );
  }
  return features;
}

/**
 * Base layers a classifier reads besides its head's map: the novelty check's and the routed old head's,
 * where they differ from it (a model that fine-tuned fire7 reads fire6/concat, its check and old head
 * fire7/concat).
 */
export function otherMapsOf(metadata: ModelMetadata): string[] {
  const own = metadata.base.featureLayer;
  const layers = [metadata.novelty ? noveltyLayerOf(metadata) : own, metadata.routing ? oldHeadLayerOf(metadata) : own];
  return [...new Set(layers)].filter((l) => l !== own);
}

/** What does not fit between those other maps of the base and the novelty model or old head that read them. */
function otherMapProblems(base: BaseNetwork, metadata: ModelMetadata): string[] {
  const channels = (layer: string): number | undefined => {
    try {
      return base.cut(layer).outputs[0].shape[3] ?? undefined;
    } catch {
      return undefined;
    }
  };
  const problems: string[] = [];
  for (const layer of otherMapsOf(metadata)) {
    if (channels(layer) === undefined) problems.push(`it has no layer '${layer}'`);
  }
  const novelty = metadata.novelty;
  const noveltyLayer = noveltyLayerOf(metadata);
  if (novelty && noveltyLayer !== metadata.base.featureLayer) {
    const got = channels(noveltyLayer);
    if (got !== undefined && got !== novelty.dims)
      problems.push(`novelty reads ${novelty.dims} channels of '${noveltyLayer}', which has ${got}`);
  }
  const oldFirst = metadata.routing?.head.trunk?.[0];
  const oldLayer = metadata.routing?.featureLayer;
  if (oldFirst && oldLayer) {
    const got = channels(oldLayer);
    if (got !== undefined && got !== oldFirst.squeeze.inputs)
      problems.push(
        `routing's old fire copies read ${oldFirst.squeeze.inputs} channels of '${oldLayer}', which has ${got}`,
      );
  }
  return problems;
}

/**
 * Loads a CrackCam model (head + metadata) on top of the SqueezeNet base. Defaults are merged and
 * the configuration and files are validated; nothing is left allocated when it throws.
 */
export async function loadCrackClassifier(config: CrackClassifierConfig): Promise<CrackClassifier> {
  const cfg = { ...DEFAULTS, ...config };
  if (!(cfg.cropFraction > 0 && cfg.cropFraction <= 1))
    throw new Error(`cropFraction must be in (0, 1], got ${cfg.cropFraction}`);
  const { head, metadata } = await loadHead(cfg.reader, cfg.modelJson);
  if (metadata.kind !== 'classifier') {
    head.dispose();
    throw new ModelFileError(cfg.modelJson, `is a '${metadata.kind}' model; expected kind 'classifier'`);
  }
  let base: BaseNetwork;
  const ownsBase = typeof cfg.base === 'string';
  try {
    base = await baseForModel(cfg.base, cfg.reader, metadata, cfg.signal);
  } catch (e) {
    head.dispose();
    throw e;
  }
  let features: tf.LayersModel;
  try {
    features = featureModelFor(base, metadata, cfg.modelJson);
    cfg.signal?.throwIfAborted();
  } catch (e) {
    head.dispose();
    if (ownsBase) base.dispose();
    throw e;
  }
  return new SqueezeNetCrackClassifier(base, features, ownsBase, head, metadata, cfg.cropFraction);
}

class SqueezeNetCrackClassifier implements CrackClassifier {
  readonly labels: readonly string[];
  readonly inputSize: number;
  private readonly weights: HeadWeights;
  /** For a model with a fine head: image -> [features, fine class maps] and the conv that makes the maps. */
  private readonly fineFeatures?: tf.LayersModel;
  private readonly fineConv?: tf.layers.Layer;
  /** Scores the average-pooled base map the head reads, for a model whose metadata has a novelty model. */
  private readonly novelty?: NoveltyModel;
  /** For a site-adapted model that keeps its old head: that head and the tables that choose per frame. */
  private readonly routed?: RoutedHead;
  /** Base layers the pass also returns, after the head's map (and the fine maps): see {@link otherMapsOf}. */
  private readonly otherMaps: string[];

  constructor(
    readonly base: BaseNetwork,
    readonly features: tf.LayersModel,
    private readonly ownsBase: boolean,
    readonly head: tf.LayersModel,
    readonly metadata: ModelMetadata,
    private readonly cropFraction: number,
  ) {
    this.labels = metadata.labels;
    this.inputSize = metadata.inputSize;
    this.weights = headWeightsOf(head);
    if (metadata.novelty) this.novelty = createNoveltyModel(metadata.novelty, metadata.labels);
    if (metadata.routing && metadata.novelty)
      this.routed = createRoutedHead(metadata.routing, metadata.labels, metadata.novelty.groups);
    this.otherMaps = otherMapsOf(metadata);
    const { featureLayer, fineLayer } = metadata.base; // the early map is fineLayer, the classifier reads featureLayer
    if (fineLayer && this.weights.fine) {
      // The fine head's 1x1 convolution (without bias) inside the base's pass: the pass returns the
      // per-class maps [n, 56, 56, C] instead of fire3's 128 channels, which are freed at once. A routed
      // model's old fine head rides along: [n, 56, 56, C + C_old].
      const oldFine = this.routed?.weights.fine?.kernel; // [K_f, C_old]
      const [k] = this.weights.fine.kernel.shape;
      const c = this.weights.fine.kernel.shape[1] + (oldFine?.shape[1] ?? 0);
      this.fineConv = tf.layers.conv2d({ filters: c, kernelSize: 1, useBias: false });
      const maps = this.fineConv.apply(base.layer(fineLayer).output as tf.SymbolicTensor) as tf.SymbolicTensor;
      this.fineFeatures = tf.model({
        inputs: base.model.inputs,
        outputs: [
          base.layer(featureLayer).output as tf.SymbolicTensor,
          maps,
          ...this.otherMaps.map((l) => base.layer(l).output as tf.SymbolicTensor),
        ],
      });
      const own = this.weights.fine.kernel;
      tf.tidy(() => {
        const kernel = oldFine ? tf.concat([own, oldFine], 1) : own; // [K_f, C (+ C_old)]
        this.fineConv?.setWeights([tf.reshape(kernel, [1, 1, k, c])]);
      });
    }
  }

  prepare(image: ImageInput, cropFraction = this.cropFraction): tf.Tensor4D {
    return tf.tidy(() => {
      const pixels = imageTensor(image); // [h, w, 3] or [n, h, w, 3] RGB 0..255
      return cropAndNormalise(pixels, this.inputSize, this.metadata.preprocessing, cropFraction);
    });
  }

  private resolveClass(camClass: ClassifyOptions['camClass']): number | 'predicted' {
    if (camClass === undefined || camClass === 'predicted') return 'predicted';
    const index = typeof camClass === 'number' ? camClass : this.labels.indexOf(camClass);
    if (!Number.isInteger(index) || index < 0 || index >= this.labels.length) {
      throw new Error(
        `camClass ${JSON.stringify(camClass)} is not a class; valid: 'predicted', 0..${this.labels.length - 1}, ${this.labels.join(', ')}`,
      );
    }
    return index;
  }

  classifyBatch(input: tf.Tensor4D, options: ClassifyOptions = {}): ClassificationTensors {
    const score = options.camScore ?? 'softmax';
    if (!CAM_SCORES.includes(score))
      throw new Error(`camScore '${String(score)}' is invalid; valid: ${CAM_SCORES.join(', ')}`);
    const wanted = this.resolveClass(options.camClass);
    return tf.tidy(() => {
      const fineWanted = options.fineMap !== false && this.fineFeatures !== undefined;
      // Without the fine map, the single-output cut: in Chromium's WASM a pass with a second output
      // measured 4-6 ms slower per frame (bench --map fine vs gradcam).
      const { featureLayer } = this.metadata.base;
      const features = fineWanted
        ? (this.fineFeatures as tf.LayersModel)
        : this.base.cutMany([featureLayer, ...this.otherMaps]);
      const out = features.predict(input) as tf.Tensor4D | tf.Tensor4D[];
      // batch, y, x, channel: [n, 13, 13, 256] (fire9/concat), or in deep mode the layer under the fire
      // copies, e.g. [n, 13, 13, 384] (fire7/concat) or [n, 13, 13, 512] (fire8/concat); fine class maps [n, 56, 56, C];
      // then the other maps, e.g. [n, 13, 13, 384] (fire7/concat) under a head that reads fire6/concat
      const outs = Array.isArray(out) ? out : [out];
      const [baseFeatures, fineClassMaps] = fineWanted ? outs : [outs[0]];
      const others = outs.slice(fineWanted ? 2 : 1);
      const mapAt = (layer: string): tf.Tensor4D =>
        layer === featureLayer ? baseFeatures : others[this.otherMaps.indexOf(layer)];
      const pooled = (): tf.Tensor2D => poolFeatures(mapAt(noveltyLayerOf(this.metadata))); // [n, D]
      const relu = options.relu ?? true;
      if (this.routed) {
        const oldFeatures = mapAt(oldHeadLayerOf(this.metadata)); // [n, 13, 13, K_old]
        const novelty = this.novelty as NoveltyModel;
        const pooledMap = pooled();
        const d2 = novelty.distances(pooledMap); // [n, G], measured once for the choice of head and the score
        const nearest = novelty.nearestOf(d2); // [n]: the choice of head without a router
        const result = this.routedResult(
          { features: baseFeatures, oldFeatures, nearest, pooled: pooledMap },
          wanted,
          score,
          relu,
          fineClassMaps,
        );
        if (options.novelty === false) return result;
        return { ...result, novelty: this.noveltyScore(d2, result) };
      }
      const result = headForward(baseFeatures, this.weights, wanted, score, relu, fineClassMaps); // [n, C], [n], [n, 13, 13], [n, 56, 56]
      if (!this.novelty || options.novelty === false) return result;
      return { ...result, novelty: this.noveltyScore(this.novelty.distances(pooled()), result) }; // [n]
    });
  }

  /**
   * The novelty score from the distances [n, G] of the pooled base features to the groups -> [n], against the verdict's groups where the model
   * says so; a routed frame only against the groups of the head that answered it (the site's groups for
   * the adapted head, the others for the old head): a wide site group must not vouch for a frame the old
   * head answers, nor an old group for the site head's.
   */
  private noveltyScore(distances: tf.Tensor2D, result: ClassificationTensors): tf.Tensor1D {
    const novelty = this.novelty as NoveltyModel;
    const verdicts = novelty.info.match === 'verdict' ? (tf.argMax(result.probabilities, 1) as tf.Tensor1D) : undefined; // [n]
    const routed = this.routed;
    if (!routed || !result.ownHead) return novelty.scoreOf(distances, verdicts);
    const headsGroups = tf.equal(tf.expandDims(result.ownHead, 1), tf.expandDims(routed.siteGroup, 0)); // [n, G]
    return novelty.scoreOf(distances, verdicts, headsGroups as tf.Tensor2D);
  }

  /** Both heads on the shared trunk; each frame answered by the head its site router or nearest novelty group picks. */
  private routedResult(
    inputs: Omit<RoutedInputs, 'fineMaps'>,
    wanted: number | 'predicted',
    score: CamScore,
    relu: boolean,
    fineClassMaps?: tf.Tensor4D,
  ): ClassificationTensors {
    const routed = this.routed as RoutedHead;
    const c = this.labels.length;
    const fineMaps =
      fineClassMaps && routed.weights.fine
        ? { own: fineClassMaps.slice([0, 0, 0, 0], [-1, -1, -1, c]), old: fineClassMaps.slice([0, 0, 0, c]) } // [n, 56, 56, C], [n, 56, 56, C_old]
        : undefined;
    return routedForward({ ...inputs, fineMaps }, this.weights, routed, wanted, score, relu);
  }

  async classify(image: ImageInput, options: ClassifyOptions = {}): Promise<Classification> {
    const packed = tf.tidy(() => {
      const input = this.prepare(image, options.cropFraction);
      const r = this.classifyBatch(input, options);
      // One readback for everything: [C probs, camClass, h*w map, fine map, novelty score].
      const parts = [tf.reshape(r.probabilities, [-1]), tf.cast(r.camClass, 'float32'), tf.reshape(r.cam, [-1])];
      if (r.fineCam) parts.push(tf.reshape(r.fineCam, [-1]));
      if (r.novelty) parts.push(r.novelty);
      return tf.concat(parts);
    });
    const data = (await packed.data()) as Float32Array;
    packed.dispose();
    const c = this.labels.length;
    const probabilities = data.slice(0, c);
    let classIndex = 0;
    for (let i = 1; i < c; i++) if (probabilities[i] > probabilities[classIndex]) classIndex = i;
    const [camHeight, camWidth] = this.metadata.base.featureShape;
    const fineStart = c + 1 + camHeight * camWidth;
    const [fineHeight, fineWidth] = this.metadata.base.fineShape ?? [0, 0];
    const fineEnd =
      options.fineMap !== false && this.metadata.base.fineShape ? fineStart + fineHeight * fineWidth : fineStart;
    const fine = fineEnd > fineStart ? { fineCam: data.slice(fineStart, fineEnd), fineHeight, fineWidth } : {};
    const threshold = this.metadata.novelty?.threshold ?? 0;
    const familiarity =
      data.length > fineEnd
        ? { familiarity: { score: data[fineEnd], threshold, unfamiliar: data[fineEnd] > threshold } }
        : {};
    return {
      ...fine,
      ...familiarity,
      labels: this.labels,
      probabilities,
      classIndex,
      label: this.labels[classIndex],
      probability: probabilities[classIndex],
      camClassIndex: data[c],
      cam: data.slice(c + 1, c + 1 + camHeight * camWidth),
      camHeight,
      camWidth,
    };
  }

  dispose(): void {
    this.routed?.dispose();
    this.novelty?.dispose();
    this.fineConv?.dispose();
    tf.dispose(headWeightTensors(this.weights));
    this.head.dispose();
    if (this.ownsBase) this.base.dispose();
  }
}
