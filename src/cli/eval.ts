/**
 * Accuracy of a model on a labelled folder (one sub-folder per label, JPG/PNG of any size).
 *   npm run eval -- --data DIR [--model PATH] [--base PATH] [--include-seen] [--json]
 * Images listed in the model's seen.json (its training and validation files) are skipped unless
 * --include-seen is given, so the figure is on images the model never saw.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { classificationReport } from '../core/metrics';
import { numberFlag, parseCli, runCli } from './args';
import { loadCliClassifier, seenFiles } from './model-cli';
import { decodeImageFile, initNodeBackend, listLabelledImages, progress } from './node-io';

const USAGE = `usage: npm run eval -- --data DIR [--model PATH] [--base PATH] [--backend wasm|cpu]
       [--crop FRACTION] [--include-seen] [--json]`;

runCli(async () => {
  const args = parseCli(USAGE, {
    data: { type: 'string' },
    model: { type: 'string' },
    base: { type: 'string' },
    backend: { type: 'string' },
    crop: { type: 'string' },
    'include-seen': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (!args.data) throw new Error(`--data is required\n${USAGE}`);
  const cropFraction = numberFlag('crop', args.crop, 1, (n) => n > 0 && n <= 1);
  const backend = await initNodeBackend(args.backend ?? 'wasm');
  const { classifier, modelJson } = await loadCliClassifier(args.model, args.base);
  const { labels: dataLabels, files: allFiles } = await listLabelledImages(args.data);
  const unknown = dataLabels.filter((l) => !classifier.labels.includes(l));
  if (unknown.length > 0) {
    throw new Error(`data labels [${dataLabels.join(', ')}] include ${unknown.join(', ')}, unknown to the model, whose labels are [${classifier.labels.join(', ')}]`);
  }
  const seen = args['include-seen'] ? new Set<string>() : await seenFiles(modelJson, args.data);
  const dataName = path.basename(path.resolve(args.data));
  const files = allFiles.filter((f) => !seen.has(`${f.label}/${path.basename(f.path)}`));
  const skippedSeen = allFiles.length - files.length;
  if (skippedSeen > 0) process.stderr.write(`skipping ${skippedSeen} images of ${dataName} the model saw in training\n`);
  const truth: string[] = [];
  const predicted: string[] = [];
  const unreadable: { file: string; error: string }[] = [];
  const misclassified: { file: string; truth: string; predicted: string; probability: number }[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    let image: tf.Tensor3D;
    try {
      image = await decodeImageFile(f.path);
    } catch (e) {
      unreadable.push({ file: f.path, error: (e as Error).message.split('\n')[0] });
      continue;
    }
    const probs = tf.tidy(() => {
      const input = classifier.prepare(image, cropFraction);
      return classifier.classifyBatch(input).probabilities;
    });
    image.dispose();
    const p = await probs.data();
    probs.dispose();
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    truth.push(f.label);
    predicted.push(classifier.labels[best]);
    if (classifier.labels[best] !== f.label) misclassified.push({ file: f.path, truth: f.label, predicted: classifier.labels[best], probability: p[best] });
    progress('eval', i + 1, files.length);
  }
  classifier.dispose();
  const report = classificationReport(classifier.labels, truth, predicted);
  for (const u of unreadable) process.stderr.write(`unreadable, skipped: ${u.file} (${u.error})\n`);
  const out = { ...report, backend, skippedSeen, unreadable: unreadable.map((u) => u.file), misclassified };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const lines = [`${dataName}: accuracy ${(report.accuracy * 100).toFixed(2)}% on ${report.n} images (backend ${backend})`, ''];
  const w = Math.max(12, ...classifier.labels.map((l) => l.length + 2));
  lines.push(`${'true \\ pred'.padEnd(w)}${classifier.labels.map((l) => l.padStart(w)).join('')}${'recall'.padStart(10)}${'precision'.padStart(11)}`);
  for (const t of classifier.labels) {
    const row = report.confusion[t];
    const s = report.perClass[t];
    lines.push(`${t.padEnd(w)}${classifier.labels.map((p) => String(row[p]).padStart(w)).join('')}${s.recall.toFixed(4).padStart(10)}${s.precision.toFixed(4).padStart(11)}`);
  }
  if (misclassified.length) {
    lines.push('', `misclassified (${misclassified.length}):`);
    for (const m of misclassified) lines.push(`  ${m.file}: ${m.truth} -> ${m.predicted} (${m.probability.toFixed(3)})`);
  }
  if (unreadable.length) lines.push('', `${unreadable.length} unreadable file(s) skipped`);
  process.stdout.write(`${lines.join('\n')}\n`);
});
