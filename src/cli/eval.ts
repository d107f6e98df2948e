/**
 * Accuracy of a model on a labelled folder (one sub-folder per label, JPG/PNG of any size).
 *   npm run eval -- --data DIR [--model PATH] [--base PATH] [--flips none|x|xy] [--include-seen] [--json]
 * Images listed in the model's seen.json (its training and validation files) are skipped unless
 * --include-seen is given, so the figure is on images the model never saw. Unreadable images are
 * skipped and listed; a run with no image left to evaluate fails (exit status 1) and says why.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import type { CrackClassifier } from '../core/classifier';
import { argMax } from '../core/colormap';
import { classificationReport, type ClassificationReport } from '../core/metrics';
import { reliabilityReport, type ReliabilityReport, type VerdictOutcome } from '../core/reliability';
import { numberFlag, parseCli, runCli } from './args';
import { loadCliClassifier, seenFiles } from './model-cli';
import {
  decodeImageFile,
  decodeShortSide,
  initNodeBackend,
  listLabelledImages,
  progress,
  unreadableReason,
  type LabelledFile,
} from './node-io';

const USAGE = `usage: npm run eval -- --data DIR [--model PATH] [--base PATH] [--backend wasm|cpu]
       [--crop FRACTION] [--flips none|x|xy] [--include-seen] [--json]
  --flips x: average the probabilities over the photo and its mirror image (xy: and the two vertical
  flips); the unfamiliar check reads the photo itself. Default none, as the live view.`;

/** The test-time flips `--flips` accepts. */
const FLIPS = ['none', 'x', 'xy'] as const;
type Flips = (typeof FLIPS)[number];

/** The photo [1, s, s, 3] and its flipped views, stacked: [v, s, s, 3] (v = 1, 2 or 4). */
function flippedViews(x: tf.Tensor4D, flips: Flips): tf.Tensor4D {
  if (flips === 'none') return x;
  const mirrored = tf.reverse(x, 2);
  if (flips === 'x') return tf.concat([x, mirrored]);
  return tf.concat([x, mirrored, tf.reverse(x, 1), tf.reverse(mirrored, 1)]);
}

/** A misclassified image: its truth, the prediction and that label's probability. */
interface Misclassified {
  file: string;
  truth: string;
  predicted: string;
  probability: number;
}

/** What classifying a folder gives. */
interface Classified {
  truth: string[];
  predicted: string[];
  unreadable: { file: string; error: string }[];
  misclassified: Misclassified[];
  /** Every classified photo's verdict, probability and familiarity, for the reliability figures. */
  outcomes: VerdictOutcome[];
  /** For a routed model (metadata `routing`): how many photos its new head answered. */
  newHead: number;
}

/** The label of the largest probability (the first on ties). */
function bestLabel(labels: readonly string[], p: ArrayLike<number>): { label: string; probability: number } {
  const best = argMax(p);
  return { label: labels[best.index], probability: best.value };
}

/**
 * Classifies each file (decoded shrunk to what the crop needs), averaging over `flips`; unreadable
 * files are skipped and listed.
 */
async function classifyFiles(
  classifier: CrackClassifier,
  files: readonly LabelledFile[],
  cropFraction: number,
  flips: Flips,
): Promise<Classified> {
  const out: Classified = { truth: [], predicted: [], unreadable: [], misclassified: [], outcomes: [], newHead: 0 };
  const threshold = classifier.metadata.novelty?.threshold ?? Infinity;
  const maxShortSide = decodeShortSide(classifier.inputSize, cropFraction);
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    let image: tf.Tensor3D;
    try {
      image = await decodeImageFile(f.path, { maxShortSide });
    } catch (e) {
      out.unreadable.push({ file: f.path, error: unreadableReason(e) });
      continue;
    }
    const packed = tf.tidy(() => {
      const views = flippedViews(classifier.prepare(image, cropFraction), flips);
      const r = classifier.classifyBatch(views, { fineMap: false });
      const first = (t: tf.Tensor1D) => tf.slice(t, 0, 1); // the photo itself, not a flip
      const extra = [
        ...(r.novelty ? [first(r.novelty)] : []),
        ...(r.ownHead ? [tf.cast(first(r.ownHead), 'float32')] : []),
      ];
      return tf.concat([tf.mean(r.probabilities, 0), ...extra]); // [classes (+ novelty score) (+ 1 when the new head answered)]
    });
    image.dispose();
    const values = await packed.data();
    packed.dispose();
    const best = bestLabel(classifier.labels, values.subarray(0, classifier.labels.length));
    const novelty = values[classifier.labels.length];
    if (values[classifier.labels.length + 1] === 1) out.newHead++;
    out.truth.push(f.label);
    out.predicted.push(best.label);
    out.outcomes.push({
      truth: f.label,
      predicted: best.label,
      probability: best.probability,
      unfamiliar: novelty !== undefined && novelty > threshold,
    });
    if (best.label !== f.label)
      out.misclassified.push({ file: f.path, truth: f.label, predicted: best.label, probability: best.probability });
    progress('eval', i + 1, files.length);
  }
  return out;
}

/** The images to evaluate: all but those the model saw; fails when none are left, saying why. */
function imagesToEvaluate(dataDir: string, all: readonly LabelledFile[], seen: Set<string>): LabelledFile[] {
  const dataName = path.basename(path.resolve(dataDir));
  if (all.length === 0)
    throw new Error(`${dataDir} has label folders but no .jpg, .jpeg or .png images in them: nothing to evaluate`);
  const files = all.filter((f) => !seen.has(`${f.label}/${path.basename(f.path)}`));
  if (files.length === 0)
    throw new Error(
      `all ${all.length} images of ${dataName} were seen in training (seen.json): nothing unseen to evaluate; pass --include-seen to evaluate on them anyway`,
    );
  const skippedSeen = all.length - files.length;
  if (skippedSeen > 0)
    process.stderr.write(`skipping ${skippedSeen} images of ${dataName} the model saw in training\n`);
  return files;
}

/** The accuracy line, confusion table, misclassified and unreadable files, as text. */
function reportText(title: string, labels: readonly string[], report: ClassificationReport, c: Classified): string {
  const lines = [title, ''];
  const w = Math.max(12, ...labels.map((l) => l.length + 2));
  lines.push(
    `${'true \\ pred'.padEnd(w)}${labels.map((l) => l.padStart(w)).join('')}${'recall'.padStart(10)}${'precision'.padStart(11)}`,
  );
  for (const t of labels) {
    const row = report.confusion[t];
    const s = report.perClass[t];
    lines.push(
      `${t.padEnd(w)}${labels.map((p) => String(row[p]).padStart(w)).join('')}${s.recall.toFixed(4).padStart(10)}${s.precision.toFixed(4).padStart(11)}`,
    );
  }
  if (c.misclassified.length) {
    lines.push('', `misclassified (${c.misclassified.length}):`);
    for (const m of c.misclassified)
      lines.push(`  ${m.file}: ${m.truth} -> ${m.predicted} (${m.probability.toFixed(3)})`);
  }
  if (c.unreadable.length) lines.push('', `${c.unreadable.length} unreadable file(s) skipped`);
  return `${lines.join('\n')}\n`;
}

/** The classification report with the reliability figures added, for the run and per class. */
function withReliability(report: ClassificationReport, reliability: ReliabilityReport) {
  const { ece, abstained, accuracyAccepted, confidentlyWrong } = reliability;
  const perClass = Object.fromEntries(
    Object.entries(report.perClass).map(([label, scores]) => {
      const r = reliability.perClass[label];
      return [
        label,
        {
          ...scores,
          abstained: r.abstained,
          accuracyAccepted: r.accuracyAccepted,
          confidentlyWrong: r.confidentlyWrong,
        },
      ];
    }),
  );
  return { ...report, ece, abstained, accuracyAccepted, confidentlyWrong, perClass };
}

/** One line on calibration and on what the novelty check held back. */
function reliabilityText(r: ReliabilityReport, novelty: boolean): string {
  const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(2)}%`);
  const flagged = novelty
    ? `flagged unfamiliar ${pct(r.abstained)}, accuracy on the rest ${pct(r.accuracyAccepted)}, `
    : 'no novelty model, ';
  return `ECE ${r.ece.toFixed(4)}; ${flagged}confidently wrong (p >= 0.9, not flagged) ${pct(r.confidentlyWrong)}`;
}

runCli(async () => {
  const args = parseCli(USAGE, {
    data: { type: 'string' },
    model: { type: 'string' },
    base: { type: 'string' },
    backend: { type: 'string' },
    crop: { type: 'string' },
    flips: { type: 'string' },
    'include-seen': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (!args.data) throw new Error(`--data is required\n${USAGE}`);
  const cropFraction = numberFlag('crop', args.crop, 1, { min: 0, minExclusive: true, max: 1 });
  const flips = (args.flips ?? 'none') as Flips;
  if (!FLIPS.includes(flips)) throw new Error(`--flips '${flips}' is not valid; valid: ${FLIPS.join(', ')}`);
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const { classifier, modelJson } = await loadCliClassifier(args.model, args.base, 'npm run eval');
  const { labels: dataLabels, files: allFiles } = await listLabelledImages(args.data);
  const unknown = dataLabels.filter((l) => !classifier.labels.includes(l));
  if (unknown.length > 0) {
    throw new Error(
      `data labels [${dataLabels.join(', ')}] include ${unknown.join(', ')}, unknown to the model, whose labels are [${classifier.labels.join(', ')}]`,
    );
  }
  const seen = args['include-seen'] ? new Set<string>() : await seenFiles(modelJson, args.data);
  const files = imagesToEvaluate(args.data, allFiles, seen);
  const classified = await classifyFiles(classifier, files, cropFraction, flips);
  const routed = classifier.metadata.routing !== undefined;
  classifier.dispose();
  for (const u of classified.unreadable) process.stderr.write(`unreadable, skipped: ${u.file} (${u.error})\n`);
  if (classified.truth.length === 0)
    throw new Error(
      `none of the ${files.length} images of ${args.data} could be read (listed above): nothing to evaluate`,
    );
  const report = classificationReport(classifier.labels, classified.truth, classified.predicted);
  const reliability = reliabilityReport(classifier.labels, classified.outcomes);
  const skippedSeen = allFiles.length - files.length;
  const out = {
    ...withReliability(report, reliability),
    novelty: classifier.metadata.novelty !== undefined,
    ...(routed ? { answeredByNewHead: classified.newHead / classified.truth.length } : {}),
    flips,
    backend,
    skippedSeen,
    unreadable: classified.unreadable.map((u) => u.file),
    misclassified: classified.misclassified,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const title = `${path.basename(path.resolve(args.data))}: accuracy ${(report.accuracy * 100).toFixed(2)}% on ${report.n} images (backend ${backend})`;
  process.stdout.write(reportText(title, classifier.labels, report, classified));
  process.stdout.write(`${reliabilityText(reliability, out.novelty)}\n`);
  if (routed)
    process.stdout.write(
      `answered by the new head (the rest by the old one): ${(100 * (classified.newHead / classified.truth.length)).toFixed(1)}%\n`,
    );
});
