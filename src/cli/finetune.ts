/**
 * Fine-tunes a CrackCam model on a labelled folder (a new site's photos) with the same core trainer
 * as the app.
 *   npm run finetune -- --data DIR --out DIR [--model PATH] [--mode head|deep] [--per-class N]
 *                       [--epochs N] [--seed S] [--json]
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { adaptedNovelty } from '../core/adapted-novelty';
import { DEFAULT_AUGMENT } from '../core/augment';
import { trunkFires } from '../core/head';
import type { NoveltyInfo } from '../core/novelty';
import { nearestPackSurface } from '../core/rehearsal-surface';
import { routingFor, uncoveredSiteGroups, willRoute } from '../core/routing';
import type { RoutingInfo } from '../core/routing-info';
import { takePerClass } from '../core/split';
import { DEFAULT_VALIDATION_SHARE, planTraining, suggestViews, type TrainingStart } from '../core/training-plan';
import { trainHead } from '../core/trainer';
import { deepFires, type TrainingMode } from '../core/trainer-layers';
import { modelSurfaces } from '../core/model-surfaces';
import { DEFAULT_RECIPE, recipeMode, defaultRehearsal, trainedSurfaces, type RecipeRun } from '../core/trainer-recipe';
import { numberFlag, parseCli, runCli, stringFlags } from './args';
import {
  CLASSIFIER_TRAINING_FLAGS,
  classifierMetadata,
  deepModulesFlag,
  modeFlag,
  optimizerFlags,
  photoSamples,
  printSummary,
  writeTrainedModel,
} from './classifier-training';
import { loadCliClassifier } from './model-cli';
import { lineageSeen } from './lineage-seen';
import { checkOutDir } from './model-files';
import {
  decodeShortSide,
  initNodeBackend,
  listLabelledImages,
  logTrainingProgress,
  type LabelledFile,
} from './node-io';
import { rehearsalPhotos } from './finetune-rehearsal';
import { withSiteRouter } from './finetune-router';
import { requireUsablePerLabel, usablePhotos } from './usable-images';

const USAGE = `usage: npm run finetune -- --data DIR --out DIR [--model PATH] [--mode head|deep] [--deep-modules N] [--per-class N]
       [--epochs N] [--views N] [--seed S] [--start current|base] [--validation F] [--batch N] [--lr X] [--base PATH]
       [--head-lr F] [--trunk-lr F] [--anchor F] [--replay DIR | --no-replay] [--replay-per-class N] [--replay-surfaces S[,S]]
       [--no-routing] [--no-rotate] [--backend wasm|cpu] [--name NAME] [--force] [--json]
  --force: replace a model already in --out (otherwise refused; the old one stays until the new one is written and checked)
  Unreadable photos are skipped and listed; the run fails only when a label is left with fewer than
  2 readable photos (one to train on, one to validate with).
  Without --mode it runs the default recipe (src/core/trainer-recipe.ts): --mode deep --deep-modules ${DEFAULT_RECIPE.deepModules}
  for a site of the model's own classes, --mode head when the site adds a class, with --start base or from a model
  without fire module copies; --head-lr
  ${DEFAULT_RECIPE.headLearningRateFactor} --epochs ${DEFAULT_RECIPE.epochs} (each overridable); and it keeps the starting model's
  head for photos off the site (routing) instead of rehearsing its pack (<model folder>/rehearsal). With --mode, the defaults below apply.
  --mode head: train the head on the frozen base (fast); deep: also fine-tune the last fire modules
  (slower): --deep-modules N of them, 1 (fire9, on cached fire8 features: 346 KB per image and view),
  2 (fire8 and fire9, on fire7's: 260 KB; the default with --mode deep) or 3 (from fire7, on fire6's), never
  fewer than the starting model's copies (the default model has fire8 and fire9; with 3 its check and its old
  head keep reading the base's fire7). --trunk-lr F: their
  learning rate as a multiple of --lr (default 1). --head-lr F: the head's (default 10, the
  MATLAB reference's factor for new layers; 1 suits deep fine-tuning of a trained head, see docs/trainer.md).
  --anchor F: pull of the head's hidden and classifier kernels towards the starting model's (L2-SP; default 0).
  Rehearsal: the starting model's rehearsal pack, its "train" photos (at most --replay-per-class N,
  default ${DEFAULT_RECIPE.rehearsalPerGroup}, per surface and label), are added to the training images only, so the model
  learns the new site without forgetting its old surfaces. By default a run that will not route rehearses all of it;
  one that routes (the old head keeps photos off the site) rehearses nothing, or, when it adds a class, the pack's
  surface that most of the site's photos of the model's own classes lie nearest (e.g. concrete: the new class is
  learnt apart from that surface's cracks and sound patches). --replay-per-class N rehearses the whole pack in any
  case; --replay-surfaces S[,S] only those surfaces. --replay DIR: rehearse another labelled folder
  instead (--replay-per-class N per label, default 30, seeded). --no-replay: no rehearsal.
  Routing (default): the new model keeps the starting model's head, and each photo is answered by the new
  head only when its nearest novelty group is one of this site's (or the new head names a class the old
  one lacks), else by the old head (src/core/routing-info.ts). --no-routing: the new head answers everything.
  Starts from --model (default: the app's default model) and writes a new version to --out
  (model.json, weights.bin, seen.json). --per-class N: at most N images per label (seeded choice).
  Labels the model does not have (e.g. salt-damage) grow its head: old outputs keep their weights.
  --start base: new head from the base.
  --validation F: fraction of each label held out for validation (default 0.2).
  --batch N: photos per optimiser step (default ${DEFAULT_RECIPE.batchSize}, in either mode, as the app's Train button).
  --views N: augmented copies of each training image whose base features are cached (default:
  as many as fit ~300 forward passes, 1..min(epochs, 8)); feature extraction costs one base forward pass per image and view.
  Augmentation (either mode): x-reflection, +-30 px, mild zoom and colour, and the other rotations and mirror
  images of each photo; --no-rotate: without those (as \`npm run train\`).`;

/** Says which mode the default recipe chose for a run, and why. */
function recipeModeNote(run: RecipeRun, mode: TrainingMode, deepModules: number): string {
  if (mode === 'deep') {
    const fires = deepFires(deepModules, run.parentFires)
      .join(', ')
      .replace(/, ([^,]*)$/, ' and $1');
    return `training ${fires} with the head (the default for a site of the model's own classes; --mode head trains the head alone)`;
  }
  const why = run.addsClasses
    ? 'a class is added'
    : run.start === 'base'
      ? 'starting from the base'
      : 'the model has no fire module copies';
  return `training the head alone (the default when ${why}; --mode deep fine-tunes the last fire modules too)`;
}

const relName = (f: LabelledFile) => `${f.label}/${path.basename(f.path)}`;

/** What the run did to the unfamiliar-surface check, for stderr. */
function noveltyNote(novelty: NoveltyInfo | undefined): string {
  if (!novelty) return 'none (the starting model has none)';
  const rejected = Object.entries(novelty.validationRejection).map(([g, r]) => `${g} ${(100 * r).toFixed(0)} %`);
  return `groups ${novelty.groups.join(', ')}; held-out photos flagged: ${rejected.join(', ')}`;
}

/** What the run did about routing, for stderr. */
function routingNote(routing: RoutingInfo | undefined, asked: boolean): string {
  if (!asked) return 'off (--no-routing): the new head answers every photo';
  if (!routing)
    return 'none: the new head answers every photo (the run reads another base map, added no novelty group, or dropped an old class)';
  const { name, version } = routing.parent;
  return `photos nearest ${routing.siteGroups.join(', ')} get the new head; all others ${name} v${version}'s head`;
}

runCli(async () => {
  const args = parseCli(USAGE, {
    ...CLASSIFIER_TRAINING_FLAGS,
    ...stringFlags(
      'model',
      'per-class',
      'start',
      'validation',
      'replay',
      'replay-per-class',
      'replay-surfaces',
      'anchor',
    ),
    'no-replay': { type: 'boolean' },
    'no-routing': { type: 'boolean' },
    'no-rotate': { type: 'boolean' },
  });
  if (!args.data || !args.out) throw new Error(`--data and --out are required\n${USAGE}`);
  // No --mode: the default recipe, whose other settings apply unless given; a --mode keeps the flags' own defaults.
  const recipe = args.mode === undefined ? DEFAULT_RECIPE : undefined;
  if (args.mode !== undefined) modeFlag(args.mode); // a bad --mode stops before any work
  const deepModules = deepModulesFlag(args['deep-modules'] ?? recipe?.deepModules.toString());
  const start = (args.start ?? 'current') as TrainingStart;
  if (start !== 'current' && start !== 'base') throw new Error(`--start must be current or base, got '${args.start}'`);
  const epochs = numberFlag('epochs', args.epochs, recipe?.epochs ?? 20, { integer: true, min: 1 });
  const seed = numberFlag('seed', args.seed, 42, { integer: true });
  const anchor = numberFlag('anchor', args.anchor, 0, { min: 0 });
  const perClass =
    args['per-class'] === undefined
      ? undefined
      : numberFlag('per-class', args['per-class'], 0, { integer: true, min: 2 });
  const validation = numberFlag('validation', args.validation, DEFAULT_VALIDATION_SHARE, {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  });
  if (args.replay && args['no-replay']) throw new Error('--replay and --no-replay contradict each other: give one');
  const replayPerClass = numberFlag(
    'replay-per-class',
    args['replay-per-class'],
    args.replay ? 30 : DEFAULT_RECIPE.rehearsalPerGroup,
    { integer: true, min: 1 },
  );
  const replaySurfaces = args['replay-surfaces']?.split(',').map((s) => s.trim());
  if (replaySurfaces?.some((s) => s === ''))
    throw new Error(
      `--replay-surfaces must name surfaces of the rehearsal pack, e.g. concrete,walls; got '${args['replay-surfaces']}'`,
    );
  if (replaySurfaces && args.replay)
    throw new Error('--replay-surfaces picks surfaces of the rehearsal pack; not with --replay DIR');
  const { learningRate, batchSize, headLearningRateFactor, trunkLearningRateFactor } = optimizerFlags(
    { ...args, 'head-lr': args['head-lr'] ?? recipe?.headLearningRateFactor.toString() },
    DEFAULT_RECIPE.batchSize, // with --mode too: the app's batch in either mode
  );
  await checkOutDir(args.out, args.force === true);
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const started = performance.now();

  const { classifier, modelJson } = await loadCliClassifier(args.model, args.base, 'npm run finetune');
  const prev = classifier.metadata;
  const decode = { maxShortSide: decodeShortSide(prev.inputSize) };
  const { files: all } = await listLabelledImages(args.data);
  const checked = await usablePhotos(perClass === undefined ? all : takePerClass(all, perClass, seed), decode);
  requireUsablePerLabel(
    checked.usable,
    [...new Set(all.map((f) => f.label))],
    { count: 2, why: 'one to train on and one to validate with' },
    checked.unreadable,
  );
  const plan = planTraining(checked.usable, { start, modelLabels: classifier.labels, validation, seed });
  if (plan.added.length > 0)
    process.stderr.write(
      `growing the head: ${plan.added.join(', ')} added to ${classifier.labels.join(', ')} (the old outputs keep their weights)\n`,
    );
  const site = path.basename(path.resolve(args.data));
  const recipeRun = { addsClasses: plan.added.length > 0, start, parentFires: trunkFires(classifier.head) };
  const mode = args.mode === undefined ? recipeMode(recipeRun) : modeFlag(args.mode);
  if (args.mode === undefined) process.stderr.write(`${recipeModeNote(recipeRun, mode, deepModules)}\n`);
  const routeAsked = args['no-routing'] !== true;
  const routes = willRoute(prev, start, routeAsked);
  const runGroups = [...new Set(checked.usable.map((f) => `${site}/${f.label}`))];
  const uncovered = routes ? uncoveredSiteGroups(prev, runGroups) : [];
  if (uncovered.length > 0)
    process.stderr.write(
      `warning: the starting model was adapted to ${uncovered.join(', ')}, of which --data has no photos; the new head will answer those frames too (a model keeps one site head): adapt to both sites in one run (one data folder), or start from the model before\n`,
    );
  const rehearsalChosen =
    args.replay !== undefined ||
    args['no-replay'] === true ||
    args['replay-per-class'] !== undefined ||
    args['replay-surfaces'] !== undefined;
  const choice = rehearsalChosen
    ? undefined
    : defaultRehearsal({ willRoute: routes, addsClasses: plan.added.length > 0 });
  const skipRehearsal = args['no-replay'] === true || choice === 'none';
  if (choice === 'none')
    process.stderr.write(
      'not rehearsing: the new model keeps the old head for photos off the site (routing); --replay-per-class N rehearses the pack anyway\n',
    );
  const siteNearest =
    choice === 'nearest-surface'
      ? (surfaces: readonly string[]) =>
          nearestPackSurface(
            {
              base: classifier.base,
              parent: prev,
              samples: photoSamples(
                plan.train.filter((f) => classifier.labels.includes(f.label)),
                plan.labels,
                prev.inputSize,
              ),
            },
            surfaces,
          )
      : undefined;
  const rehearsal = await rehearsalPhotos(
    {
      replay: args.replay,
      noReplay: skipRehearsal,
      perClass: replayPerClass,
      seed,
      surfaces: replaySurfaces,
      siteNearest,
    },
    { model: args.model, labels: plan.labels, decode },
  );
  const replay = rehearsal.files;
  const unreadable = [...checked.unreadable.map((u) => u.file), ...rehearsal.unreadable];
  const views = numberFlag('views', args.views, suggestViews(plan.train.length, epochs), { integer: true, min: 1 });
  const augment = args['no-rotate'] ? DEFAULT_AUGMENT : DEFAULT_RECIPE.augment;
  process.stderr.write(
    `backend ${backend}; from ${start === 'current' ? `${prev.name} v${prev.version}` : 'the base'}; ${plan.train.length} train / ${plan.validation.length} validation images; labels ${plan.labels.join(', ')}\n`,
  );
  const result = await trainHead({
    base: classifier.base,
    preprocessing: prev.preprocessing,
    labels: plan.labels,
    train: photoSamples([...plan.train, ...replay], plan.labels, prev.inputSize),
    validation: photoSamples(plan.validation, plan.labels, prev.inputSize),
    epochs,
    views,
    batchSize,
    learningRate,
    augment,
    initial: start === 'current' ? classifier.head : undefined,
    featureLayer: prev.base.featureLayer,
    fineLayer: prev.base.fineLayer,
    mode,
    deepModules,
    headLearningRateFactor,
    trunkLearningRateFactor,
    anchor,
    hidden: 64,
    seed,
    onProgress: logTrainingProgress(Number.MAX_SAFE_INTEGER),
  });
  const grouped = (files: readonly LabelledFile[], surface: (f: LabelledFile) => string) =>
    photoSamples(files, plan.labels, prev.inputSize).map((s, i) => ({
      ...s,
      group: `${surface(files[i])}/${files[i].label}`,
    }));
  const rehearsalSurface = (f: LabelledFile) => ('surface' in f ? String(f.surface) : rehearsal.surfaces[0]);
  const novelty = await adaptedNovelty({
    base: classifier.base,
    parent: prev,
    featureLayer: result.featureLayer,
    train: [...grouped(plan.train, () => site), ...grouped(replay, rehearsalSurface)],
    validation: grouped(plan.validation, () => site),
  });
  process.stderr.write(`novelty: ${noveltyNote(novelty)}\n`);
  const nearestRouting = routeAsked
    ? await routingFor(classifier, {
        head: result.head,
        labels: plan.labels,
        featureLayer: result.featureLayer,
        novelty,
      })
    : undefined;
  const routing =
    nearestRouting &&
    (await withSiteRouter(nearestRouting, {
      base: classifier.base,
      parent: prev,
      model: args.model,
      featureLayer: result.featureLayer,
      novelty,
      labels: plan.labels,
      train: plan.train,
      validation: plan.validation,
      decode,
    }));
  process.stderr.write(`routing: ${routingNote(routing, routeAsked)}\n`);
  if (routes && !routing && replay.length === 0)
    process.stderr.write(
      'warning: the model does not route and nothing was rehearsed: the old surfaces may be forgotten; run again with --replay-per-class 40\n',
    );
  const seconds = (performance.now() - started) / 1000;
  const trained = classifierMetadata(
    {
      name: args.name ?? prev.name,
      version: prev.version + 1,
      labels: plan.labels,
      inputSize: prev.inputSize,
      preprocessing: prev.preprocessing,
      base: prev.base,
    },
    {
      tool: 'npm run finetune',
      data: args.data,
      result,
      setup: {
        start: start === 'current' ? { from: prev.name, version: prev.version } : 'base',
        perClass,
        split: { validation, seed },
        n: {
          train: plan.train.length,
          validation: plan.validation.length,
          ...(replay.length ? { replay: replay.length } : {}),
        },
        ...(rehearsal.record ? { replay: rehearsal.record } : {}),
      },
      optimizer: { learningRate, batchSize, headLearningRateFactor, trunkLearningRateFactor },
      epochs,
      views,
      augment,
      extra: { featureSeconds: result.featureSeconds, trainSeconds: result.trainSeconds },
      backend,
      seconds,
      surfaces: trainedSurfaces(modelSurfaces(prev), [site], rehearsal.surfaces),
    },
  );
  const metadata = { ...trained, ...(novelty ? { novelty } : {}), ...(routing ? { routing } : {}) };
  const siteFiles = [...plan.train, ...plan.validation].map(relName);
  const replayName = args.replay ? path.basename(path.resolve(args.replay)) : undefined;
  const seen = await lineageSeen(modelJson, { name: site, files: siteFiles }, replay, replayName);
  await writeTrainedModel(args.out, result.head, metadata, seen);
  result.head.dispose();
  classifier.dispose();
  process.stderr.write(
    `wrote ${args.out} (v${metadata.version}; features ${result.featureSeconds.toFixed(1)} s, training ${result.trainSeconds.toFixed(1)} s; tensors left ${tf.memory().numTensors})\n`,
  );
  const n = plan.train.length + plan.validation.length;
  const summary = {
    valAccuracy: result.validation.accuracy,
    epochs,
    seconds,
    n,
    ...(unreadable.length ? { unreadable } : {}),
  };
  printSummary(summary, args.json, plan.validation.length, result.misclassified);
});
