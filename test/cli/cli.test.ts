import { copyFile, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listImages } from '../../src/cli/node-io';
import { DATA_DIR, HAVE_SHARED } from '../helpers';
import { cli, lastJson } from './run-cli';

/** A small labelled folder in /tmp built from ../shared photos, plus one corrupt file. */
async function smallDataset(perClass: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-data-'));
  for (const label of ['crack', 'nocrack']) {
    await mkdir(path.join(dir, label));
    const files = (await listImages(path.join(DATA_DIR, 'concrete', label))).slice(-perClass);
    for (const f of files) await copyFile(f, path.join(dir, label, path.basename(f)));
  }
  return dir;
}

describe.skipIf(!HAVE_SHARED)('CLIs over the real base and data', () => {
  let data: string;
  let model: string;
  beforeAll(async () => {
    data = await smallDataset(6);
    model = await mkdtemp(path.join(os.tmpdir(), 'crackcam-model-'));
  });

  it('train writes a model that eval loads, and eval skips the images it was trained on', async () => {
    const t = await cli('train.ts', [
      '--data',
      data,
      '--out',
      model,
      '--epochs',
      '3',
      '--views',
      '1',
      '--split',
      '0.5,0.2,0.3',
      '--seed',
      '3',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const summary = lastJson(t.stdout);
    expect(summary.n).toBe(8); // 3 + 1 per class (rounded), 6 per class
    expect(typeof summary.valAccuracy).toBe('number');
    // calibrated and given a novelty model by default
    expect(summary.temperature).toBeGreaterThan(0);
    expect(typeof summary.noveltyThreshold).toBe('number');
    const e = await cli('eval.ts', ['--data', data, '--model', model, '--json']);
    expect(e.code, e.stderr).toBe(0);
    const report = lastJson(e.stdout);
    expect(report.skippedSeen).toBe(8);
    expect(report.n).toBe(4);
    expect(Object.keys(report.perClass as object).sort()).toEqual(['crack', 'nocrack']);
    expect(report.backend).toBe('wasm');
    expect(report.flips).toBe('none');
    const flipped = lastJson(
      (await cli('eval.ts', ['--data', data, '--model', model, '--flips', 'xy', '--json'])).stdout,
    );
    expect([flipped.flips, flipped.n]).toEqual(['xy', 4]);
    const badFlips = await cli('eval.ts', ['--data', data, '--model', model, '--flips', 'y']);
    expect(badFlips.stderr).toContain("--flips 'y' is not valid; valid: none, x, xy");
    const all = lastJson(
      (await cli('eval.ts', ['--data', data, '--model', path.join(model, 'model.json'), '--include-seen', '--json']))
        .stdout,
    );
    expect(all.n).toBe(12);
    // The same file names in another data folder are not the images it was trained on.
    const other = path.join(await mkdtemp(path.join(os.tmpdir(), 'crackcam-other-')), 'brick');
    await cp(data, other, { recursive: true });
    const elsewhere = lastJson((await cli('eval.ts', ['--data', other, '--model', model, '--json'])).stdout);
    expect(elsewhere.skippedSeen).toBe(0);
    expect(elsewhere.n).toBe(12);
  });

  it("calibrate fits the temperature and novelty model on the model's own split; eval reports calibration and abstentions", async () => {
    const calibrated = await mkdtemp(path.join(os.tmpdir(), 'crackcam-calibrated-'));
    const c = await cli('calibrate.ts', ['--data', data, '--model', model, '--out', calibrated, '--force', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const fit = lastJson(c.stdout);
    expect(fit.temperature).toBeGreaterThan(0);
    expect(Object.keys(fit.validationRejection as object).sort()).toEqual([
      `${path.basename(data)}/crack`,
      `${path.basename(data)}/nocrack`,
    ]);
    const metadata = JSON.parse(await readFile(path.join(calibrated, 'model.json'), 'utf8')).userDefinedMetadata
      .crackcam;
    expect(metadata.calibration.temperature).toBe(fit.temperature);
    expect(metadata.novelty.threshold).toBe(fit.noveltyThreshold);
    expect(await readFile(path.join(calibrated, 'seen.json'), 'utf8')).toBe(
      await readFile(path.join(model, 'seen.json'), 'utf8'),
    );
    // By default scored against the verdict's groups, each with its own threshold.
    expect(metadata.novelty.match).toBe('verdict');
    expect(metadata.novelty.groupThresholds).toHaveLength(2);
    expect(metadata.novelty.threshold).toBe(Math.max(...(metadata.novelty.groupThresholds as number[])));
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-nearest-'));
    const calibrateWith = (...flags: string[]) =>
      cli('calibrate.ts', ['--data', data, '--model', model, '--out', otherDir, '--force', ...flags]);
    const bad = await calibrateWith('--thresholds', 'each');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--thresholds 'each' is not valid; valid: shared, per-group");
    const badMatch = await calibrateWith('--match', 'closest');
    expect(badMatch.stderr).toContain("--match 'closest' is not valid; valid: nearest, verdict");
    const sharedVerdict = await calibrateWith('--thresholds', 'shared');
    expect(sharedVerdict.code).toBe(1);
    expect(sharedVerdict.stderr).toContain('--match verdict needs --thresholds per-group (got shared)');
    const nearest = await calibrateWith('--match', 'nearest');
    expect(nearest.code, nearest.stderr).toBe(0);
    const nearestNovelty = JSON.parse(await readFile(path.join(otherDir, 'model.json'), 'utf8')).userDefinedMetadata
      .crackcam.novelty;
    expect(nearestNovelty.match).toBeUndefined(); // every group counts
    expect(nearestNovelty.groupThresholds).toBeUndefined(); // one shared threshold with --match nearest

    const e = lastJson((await cli('eval.ts', ['--data', data, '--model', calibrated, '--json'])).stdout);
    expect(e.novelty).toBe(true);
    for (const key of ['ece', 'abstained', 'confidentlyWrong']) expect(typeof e[key], key).toBe('number');
    const perClass = e.perClass as Record<string, Record<string, unknown>>;
    expect(typeof perClass.crack.abstained).toBe('number');
    expect(e.abstained as number).toBeGreaterThanOrEqual(0);
    expect(e.abstained as number).toBeLessThanOrEqual(1);
    // a model trained with --skip-calibration has no novelty model: nothing is flagged
    const plainModel = await mkdtemp(path.join(os.tmpdir(), 'crackcam-plain-'));
    const t = await cli('train.ts', [
      '--data',
      data,
      '--out',
      plainModel,
      '--epochs',
      '1',
      '--views',
      '1',
      '--split',
      '0.5,0.2,0.3',
      '--seed',
      '5',
      '--split-seed',
      '3',
      '--skip-calibration',
      '--zoom',
      '0.5,2',
      '--force',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(lastJson(t.stdout).temperature).toBeUndefined();
    // --split-seed 3 keeps the first model's split while the training seed differs
    expect(await readFile(path.join(plainModel, 'seen.json'), 'utf8')).toBe(
      await readFile(path.join(model, 'seen.json'), 'utf8'),
    );
    const plainTraining = JSON.parse(await readFile(path.join(plainModel, 'model.json'), 'utf8')).userDefinedMetadata
      .crackcam.training;
    expect([plainTraining.split.seed, plainTraining.seed]).toEqual([3, 5]);
    expect(plainTraining.augment.zoomRange).toEqual([0.5, 2]);
    const badZoom = await cli('train.ts', ['--data', data, '--out', plainModel, '--zoom', '2,0.5']);
    expect(badZoom.code).toBe(1);
    expect(badZoom.stderr).toContain('--zoom must be MIN,MAX[,SHARE] with a number in [0.25, 4], MIN <= MAX');
    const plainMeta = JSON.parse(await readFile(path.join(plainModel, 'model.json'), 'utf8')).userDefinedMetadata
      .crackcam;
    expect(plainMeta.surfaces).toEqual({ trained: [path.basename(data)], rehearsed: [] });
    const plain = lastJson((await cli('eval.ts', ['--data', data, '--model', plainModel, '--json'])).stdout);
    expect(plain.novelty).toBe(false);
    expect(plain.abstained).toBe(0);

    // another folder than the one it was trained on is refused
    const other = await smallDataset(5);
    const wrong = await cli('calibrate.ts', ['--data', other, '--model', model, '--out', calibrated, '--force']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/is not the one .*seen\.json lists/);
  });

  it('eval lists and skips unreadable images, and prints a table without --json', async () => {
    await writeFile(path.join(data, 'crack', 'broken.jpg'), 'this is not a jpeg');
    const e = await cli('eval.ts', ['--data', data, '--model', model, '--include-seen', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const report = lastJson(e.stdout);
    expect(report.n).toBe(12);
    expect(report.unreadable).toEqual([path.join(data, 'crack', 'broken.jpg')]);
    expect(e.stderr).toContain('unreadable, skipped');
    const table = await cli('eval.ts', ['--data', data, '--model', model, '--include-seen']);
    expect(table.stdout).toMatch(/accuracy [\d.]+% on 12 images/);
    expect(table.stdout).toMatch(/true \\ pred/);
  });

  it('eval fails on labels the model does not know, listing both label sets', async () => {
    const odd = await mkdtemp(path.join(os.tmpdir(), 'crackcam-odd-'));
    await mkdir(path.join(odd, 'spalling'));
    const e = await cli('eval.ts', ['--data', odd, '--model', model]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/\[spalling\].*unknown to the model.*\[crack, nocrack\]/);
  });

  it('bad flags print the usage', async () => {
    const e = await cli('eval.ts', ['--dta', data]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/usage: npm run eval/);
  });

  it('a corrupt model names the file', async () => {
    const bad = await mkdtemp(path.join(os.tmpdir(), 'crackcam-bad-'));
    await writeFile(path.join(bad, 'model.json'), '{');
    const e = await cli('eval.ts', ['--data', data, '--model', bad]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain(`${path.join(bad, 'model.json')}: is not valid JSON`);
  });

  it('cam-eval scores the heatmap against masks', async () => {
    const images = await mkdtemp(path.join(os.tmpdir(), 'crackcam-cam-'));
    const masks = await mkdtemp(path.join(os.tmpdir(), 'crackcam-mask-'));
    const names = (await listImages(path.join(DATA_DIR, 'masks/images'))).slice(0, 3);
    for (const f of names) {
      await copyFile(f, path.join(images, path.basename(f)));
      await copyFile(
        path.join(DATA_DIR, 'masks/masks', `${path.parse(f).name}.png`),
        path.join(masks, `${path.parse(f).name}.png`),
      );
    }
    await writeFile(path.join(images, 'orphan.jpg'), 'x');
    const e = await cli('cam-eval.ts', ['--images', images, '--masks', masks, '--model', model, '--json']);
    expect(e.code, e.stderr).toBe(0);
    const r = lastJson(e.stdout);
    expect(r.n).toBe(3);
    for (const k of ['pointingGame', 'energyInMask', 'maskAreaFraction']) {
      expect(r[k]).toBeGreaterThanOrEqual(0);
      expect(r[k]).toBeLessThanOrEqual(1);
    }
    expect(r.maskAreaFraction).toBeGreaterThan(0);
    expect(e.stderr).toContain('orphan.jpg');
    expect(r.align).toBe('resize');
    const aligned = await cli('cam-eval.ts', [
      '--images',
      images,
      '--masks',
      masks,
      '--model',
      model,
      '--align',
      'receptive-field',
      '--json',
    ]);
    expect(aligned.code, aligned.stderr).toBe(0);
    expect(lastJson(aligned.stdout)).toMatchObject({
      n: 3,
      align: 'receptive-field',
      maskAreaFraction: r.maskAreaFraction,
    });
    const bad = await cli('cam-eval.ts', ['--images', images, '--masks', masks, '--align', 'centre']);
    expect(bad.stderr).toMatch(/--align 'centre' is invalid; valid: resize, receptive-field/);
    // train adds a fine head by default: --map fine scores the 56x56 fine map the live view paints.
    const fine = await cli('cam-eval.ts', [
      '--images',
      images,
      '--masks',
      masks,
      '--model',
      model,
      '--map',
      'fine',
      '--json',
    ]);
    expect(fine.code, fine.stderr).toBe(0);
    expect(lastJson(fine.stdout)).toMatchObject({ n: 3, map: 'fine', maskAreaFraction: r.maskAreaFraction });
    expect(r.map).toBe('gradcam');
    const badMap = await cli('cam-eval.ts', ['--images', images, '--masks', masks, '--map', 'guided']);
    expect(badMap.stderr).toMatch(/--map 'guided' is invalid; valid: gradcam, fine/);
  });
});
