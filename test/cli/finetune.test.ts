import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listImages, PROJECT_ROOT } from '../../src/cli/node-io';
import { DEFAULT_RECIPE } from '../../src/core/trainer-recipe';
import { DATA_DIR, HAVE_SHARED } from '../helpers';
import { writeModelWithSmallPack } from '../small-pack';
import { cli, lastJson } from './run-cli';

const DEFAULT_MODEL_DIR = path.join(PROJECT_ROOT, 'public/models/crackcam-default');

describe.skipIf(!HAVE_SHARED)('npm run finetune', () => {
  let data: string;
  let concrete: string;
  /**
   * The default model with the recipe's share of its rehearsal pack's training photos and a few of
   * its held-out ones: the site router's fit and check featurise every pack photo, which on the
   * whole pack (300) would take most of each run.
   */
  let model: string;
  /** finetune, starting from {@link model}. */
  const finetune = (args: string[]) => cli('finetune.ts', ['--model', model, ...args]);
  beforeAll(async () => {
    model = path.join(await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-start-')), 'crackcam-default');
    await mkdir(model);
    writeModelWithSmallPack(DEFAULT_MODEL_DIR, model, 4);
    concrete = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-replay-'));
    for (const label of ['crack', 'nocrack']) {
      await mkdir(path.join(concrete, label));
      for (const f of (await listImages(path.join(DATA_DIR, 'concrete', label))).slice(0, 3))
        await copyFile(f, path.join(concrete, label, path.basename(f)));
    }
    // 8 brick photos per class (the CLI takes 5 of each with --per-class).
    data = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-data-'));
    for (const label of ['crack', 'nocrack']) {
      await mkdir(path.join(data, label));
      for (const f of (await listImages(path.join(DATA_DIR, 'brick', label))).slice(0, 8))
        await copyFile(f, path.join(data, label, path.basename(f)));
    }
  });

  it('fine-tunes the default model into a new version that eval loads; --per-class caps the images; --json summary', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-out-'));
    const r = await finetune([
      '--data',
      data,
      '--out',
      out,
      '--per-class',
      '5',
      '--epochs',
      '2',
      '--seed',
      '3',
      '--replay-per-class', // rehearse the pack too (one photo per group keeps this quick)
      '1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson(r.stdout);
    expect(Object.keys(summary).sort()).toEqual(['epochs', 'n', 'seconds', 'valAccuracy']);
    expect(summary.n).toBe(10);
    expect(summary.epochs).toBe(2);
    expect(summary.valAccuracy).toBeGreaterThanOrEqual(0);
    // The validation photos it got wrong are listed on stderr, as many as the accuracy says.
    const listed = r.stderr.match(/misclassified validation images \((\d+)\)((?:\n {2}.+: \w+ -> \w+)*)/);
    expect(listed, r.stderr).not.toBeNull();
    const validation = Number(r.stderr.match(/(\d+) validation images/)?.[1]);
    const wrong = Math.round((1 - Number(summary.valAccuracy)) * validation);
    expect(Number(listed![1])).toBe(wrong);
    expect(listed![2].split('\n').filter((l) => l)).toHaveLength(wrong);
    // The default recipe for a site of the model's own classes: fire8 and fire9 fine-tuned with the head.
    expect(r.stderr).toMatch(
      /training fire8 and fire9 with the head \(the default for a site of the model's own classes/,
    );
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as {
      userDefinedMetadata: {
        crackcam: {
          version: number;
          training: {
            tool: string;
            start: unknown;
            mode: string;
            fineTuned: string[];
            optimizer: { batchSize: number };
            augment: { rotate?: boolean };
          };
        };
      };
    };
    expect([
      json.userDefinedMetadata.crackcam.training.mode,
      json.userDefinedMetadata.crackcam.training.fineTuned,
    ]).toEqual(['deep', ['fire8', 'fire9']]);
    // The recipe's batch for deep mode (the app's Train button uses the recipe's too).
    expect(json.userDefinedMetadata.crackcam.training.optimizer.batchSize).toBe(DEFAULT_RECIPE.batchSize);
    // The recipe's augmentation: the photos turned and mirrored into any orientation as well.
    expect(json.userDefinedMetadata.crackcam.training.augment).toEqual(DEFAULT_RECIPE.augment);
    expect(json.userDefinedMetadata.crackcam.training.augment.rotate).toBe(true);
    const defaults = JSON.parse(await readFile(path.join(model, 'model.json'), 'utf8')) as typeof json;
    expect(json.userDefinedMetadata.crackcam.version).toBe(defaults.userDefinedMetadata.crackcam.version + 1);
    expect(json.userDefinedMetadata.crackcam.training.tool).toBe('npm run finetune');
    // seen.json lists the 10 site photos, everything the starting model saw, and the pack photos rehearsed
    // (by the photo each was cut from), so eval skips them on every data set (src/cli/lineage-seen.ts).
    type Sets = { sets: Record<string, string[]> };
    const seen = JSON.parse(await readFile(path.join(out, 'seen.json'), 'utf8')) as Sets;
    expect(seen.sets[path.basename(data)]).toHaveLength(10);
    const modelDir = model;
    const parent = JSON.parse(await readFile(path.join(modelDir, 'seen.json'), 'utf8')) as Sets;
    const pack = JSON.parse(await readFile(path.join(modelDir, 'rehearsal/index.json'), 'utf8')) as {
      items: { surface: string; use: string; source?: string }[];
    };
    for (const [set, names] of Object.entries(parent.sets)) {
      expect(seen.sets[set]).toEqual(expect.arrayContaining(names));
      const packTrain = pack.items.filter((i) => i.surface === set && i.use === 'train').map((i) => i.source);
      const added = seen.sets[set].filter((n) => !names.includes(n));
      expect(
        added.every((n) => packTrain.includes(n)),
        `${set}: ${added.join(', ')}`,
      ).toBe(true);
    }
    // eval loads it and skips the 10 seen photos: 6 unseen remain.
    const ev = await cli('eval.ts', ['--data', data, '--model', out, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(lastJson(ev.stdout).n).toBe(6);
  });

  it('--mode deep fine-tunes fire8 and fire9 too: the model reads fire7, says so in its metadata, and eval loads it; --replay adds old-site images', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-deep-'));
    const r = await finetune([
      ...[
        '--data',
        data,
        '--out',
        out,
        '--per-class',
        '5',
        '--epochs',
        '2',
        '--views',
        '1',
        '--mode',
        'deep',
        '--seed',
        '3',
        '--json',
      ],
      ...['--replay', concrete, '--replay-per-class', '2', '--no-rotate'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as {
      userDefinedMetadata: {
        crackcam: {
          base: { featureLayer: string; featureShape: number[]; fineLayer?: string };
          training: { mode: string; n: { train: number; replay: number }; augment: { rotate?: boolean } };
          novelty?: unknown;
        };
      };
    };
    const meta = json.userDefinedMetadata.crackcam;
    expect(meta.training.mode).toBe('deep');
    // The default model's fine head is kept (and trained on the new photos).
    expect(meta.base.fineLayer).toBe('fire3/concat');
    expect(meta.training.n).toMatchObject({ train: 8, replay: 4 });
    expect(meta.training.augment.rotate).toBeUndefined(); // --no-rotate
    expect(meta.base.featureLayer).toBe('fire7/concat');
    expect(meta.base.featureShape).toEqual([13, 13, 384]);
    // The default model reads fire7 too (its own fire copies): its check carries over.
    expect(meta.novelty).toBeDefined();
    expect(r.stderr).not.toMatch(/another base map/);
    // fire8 and fire9 retrained: the model keeps the old head with the old copies for photos off the site
    const routing = (meta as { routing?: { head: { trunk?: { fire: string }[] } } }).routing;
    expect(routing?.head.trunk?.map((m) => m.fire)).toEqual(['fire8', 'fire9']);
    expect(r.stderr).toMatch(/routing: photos nearest .* get the new head/);
    const ev = await cli('eval.ts', ['--data', data, '--model', out, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(lastJson(ev.stdout).n).toBe(6);
  });

  it('with no rehearsal flag routes instead of rehearsing', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-route-'));
    const r = await finetune(['--data', data, '--out', out, '--per-class', '3', '--epochs', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not rehearsing: the new model keeps the old head for photos off the site/);
    expect(r.stderr).not.toMatch(/rehearsing \d+ photos|warning/);
    // The site router is fitted against the pack and checked on held-out photos; either outcome is said.
    const router =
      /site router: (kept|not kept, .+) \(to the site's head, held out: [\d.]+ % of the site's photos/.exec(r.stderr);
    expect(router, r.stderr).not.toBeNull();
    const meta = (JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as Record<string, never>)
      .userDefinedMetadata['crackcam'] as {
      routing?: { siteGroups: string[]; router?: { outputs: number } };
      surfaces: { rehearsed: string[] };
      training: { n: Record<string, number> };
    };
    expect(meta.routing?.siteGroups).toEqual([`${path.basename(data)}/crack`, `${path.basename(data)}/nocrack`]);
    expect(meta.routing?.router?.outputs).toBe(router?.[1] === 'kept' ? 1 : undefined);
    expect(meta.surfaces.rehearsed).toEqual([]);
    expect(meta.training.n.replay).toBeUndefined();
  });

  it('the recipe with --deep-modules 3 trains fire7 too, keeps the check and the old head on the base fire7 map; a run from it on another site is warned', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-fire7-'));
    const r = await finetune([
      ...['--data', data, '--out', out, '--per-class', '3', '--epochs', '1', '--deep-modules', '3', '--json'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/training fire7, fire8 and fire9 with the head \(the default for a site/);
    // The run reads fire6's maps; the default model's check and head read fire7's, which the base still gives.
    expect(r.stderr).toMatch(new RegExp(`novelty: groups .*${path.basename(data)}/crack`));
    expect(r.stderr).toMatch(/routing: photos nearest .* get the new head/);
    const meta = (JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as Record<string, never>)
      .userDefinedMetadata['crackcam'] as {
      base: { featureLayer: string };
      training: { fineTuned: string[] };
      novelty?: { layer?: string };
      routing?: { featureLayer?: string; head: { trunk?: { fire: string }[] } };
    };
    expect(meta.training.fineTuned).toEqual(['fire7', 'fire8', 'fire9']);
    expect(meta.base.featureLayer).toBe('fire6/concat');
    expect(meta.novelty?.layer).toBe('fire7/concat');
    expect(meta.routing?.featureLayer).toBe('fire7/concat');
    expect(meta.routing?.head.trunk?.map((m) => m.fire)).toEqual(['fire8', 'fire9']);
    const ev = await cli('eval.ts', ['--data', data, '--model', out, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(lastJson(ev.stdout)).toMatchObject({ n: 10, novelty: true });
    // Adapted again on another site's photos: its one site head would answer the first site's frames too.
    expect(r.stderr).not.toMatch(/warning: the starting model was adapted/);
    const next = await cli('finetune.ts', [
      ...['--model', out, '--data', concrete, '--per-class', '2', '--epochs', '1'],
      ...['--out', await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-second-site-'))],
    ]);
    expect(next.code, next.stderr).toBe(0);
    const first = path.basename(data);
    expect(next.stderr).toMatch(
      new RegExp(
        `warning: the starting model was adapted to ${first}/crack, ${first}/nocrack, of which --data has no photos`,
      ),
    );
  });

  it('an unknown --mode or --deep-modules fails with a message naming the valid values', async () => {
    const bad = await finetune(['--data', data, '--out', path.join(os.tmpdir(), 'never'), '--mode', 'full']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--mode 'full' is not a mode; valid: head, deep/);
    const modules = await finetune([
      '--data',
      data,
      '--out',
      path.join(os.tmpdir(), 'never'),
      '--mode',
      'deep',
      '--deep-modules',
      '5',
    ]);
    expect(modules.code).toBe(1);
    expect(modules.stderr).toMatch(/--deep-modules must be one of 1, 2, 3 .*got '5'/);
  });

  it('with no rehearsal flag, a new class rehearses the pack’s surface the site’s crack and no-crack photos look like', async () => {
    const site = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-salt-concrete-'));
    for (const [label, from] of [
      ['crack', 'concrete/crack'],
      ['nocrack', 'concrete/nocrack'],
      ['salt-damage', 'defects/salt-damage'],
    ]) {
      await mkdir(path.join(site, label));
      for (const f of (await listImages(path.join(DATA_DIR, from))).slice(0, 3))
        await copyFile(f, path.join(site, label, path.basename(f)));
    }
    // the pack's concrete training photos as shipped (the recipe rehearses up to its share of each
    // label), the other groups cut down
    const perGroup = DEFAULT_RECIPE.rehearsalPerGroup;
    const start = path.join(await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-start-')), 'crackcam-default');
    await mkdir(start);
    writeModelWithSmallPack(DEFAULT_MODEL_DIR, start, (i) =>
      i.surface === 'concrete' && i.use === 'train' ? perGroup + 1 : 4,
    );
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-nearest-'));
    const r = await cli('finetune.ts', [
      ...['--model', start, '--data', site, '--out', out, '--per-class', '3', '--epochs', '1', '--json'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    // 2 of each label train (one validates): the 4 crack and no-crack photos are concrete.
    expect(r.stderr).toMatch(
      /the site's photos of the model's classes look like concrete \(4 of 4 nearest it\): rehearsing it/,
    );
    expect(r.stderr).toMatch(new RegExp(`rehearsing ${2 * perGroup} photos of concrete from .*rehearsal`));
    const meta = (JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as Record<string, never>)
      .userDefinedMetadata['crackcam'] as { surfaces: { rehearsed: string[] }; training: { n: { replay: number } } };
    expect(meta.surfaces.rehearsed).toEqual(['concrete']);
    expect(meta.training.n.replay).toBe(2 * perGroup);
    // An expert picks the surfaces; one the pack lacks is refused, naming the pack's.
    const bad = await finetune([
      ...['--data', site, '--out', path.join(os.tmpdir(), 'never'), '--replay-surfaces', 'brick'],
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/the rehearsal pack in .* has no surface brick; it has concrete, asphalt, walls/);
    const empty = await finetune([
      ...['--data', site, '--out', path.join(os.tmpdir(), 'never'), '--replay-surfaces', 'concrete,'],
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/--replay-surfaces must name surfaces of the rehearsal pack.*got 'concrete,'/);
  });

  it('--replay-per-class rehearses the pack of the starting model; a new class grows the head; the surfaces are recorded', async () => {
    const salty = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-salt-'));
    for (const [label, from] of [
      ['crack', 'brick/crack'],
      ['nocrack', 'brick/nocrack'],
      ['salt-damage', 'defects/salt-damage'],
    ]) {
      await mkdir(path.join(salty, label));
      for (const f of (await listImages(path.join(DATA_DIR, from))).slice(0, 3))
        await copyFile(f, path.join(salty, label, path.basename(f)));
    }
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-grow-'));
    const args = ['--data', salty, '--per-class', '3', '--epochs', '1', '--replay-per-class', '1', '--json'];
    const r = await finetune([...args, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/growing the head: salt-damage added to crack, nocrack/);
    expect(r.stderr).toMatch(/rehearsing 5 photos of concrete, asphalt, walls from .*crackcam-default\/rehearsal/);
    const meta = (JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as Record<string, never>)
      .userDefinedMetadata['crackcam'] as {
      labels: string[];
      surfaces: { trained: string[]; rehearsed: string[] };
      training: { mode: string; fineTuned: string[]; n: { replay: number }; replay: { surfaces: string[] } };
      novelty: { groups: string[] };
      routing: { parent: { name: string; version: number }; labels: string[]; siteGroups: string[] };
    };
    expect(meta.labels).toEqual(['crack', 'nocrack', 'salt-damage']);
    // The unfamiliar-surface check knows the site's photos and the rehearsed surfaces now.
    const site = path.basename(salty);
    expect(meta.novelty.groups).toEqual(
      expect.arrayContaining(['concrete/crack', `${site}/crack`, `${site}/salt-damage`, 'walls/nocrack']),
    );
    expect(r.stderr).toMatch(/novelty: groups .*held-out photos flagged/);
    // The old head answers every photo that is not nearest the site's own groups.
    expect(meta.routing.labels).toEqual(['crack', 'nocrack']);
    expect(meta.routing.siteGroups).toEqual(meta.novelty.groups.filter((g) => g.startsWith(`${site}/`)));
    expect(meta.routing.siteGroups).toContain(`${site}/salt-damage`);
    expect(meta.routing.parent.name).toBe('crackcam-default');
    // eval says how many photos the new head answered: the site's own photos are nearest its groups
    const ev = await cli('eval.ts', ['--data', salty, '--model', out, '--include-seen', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const share = lastJson(ev.stdout).answeredByNewHead as number;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThanOrEqual(1);
    expect(r.stderr).toMatch(
      /routing: photos nearest .*salt-damage get the new head; all others crackcam-default v\d+'s head/,
    );
    expect(meta.surfaces).toEqual({
      trained: ['asphalt', 'concrete', path.basename(salty), 'walls'].sort(),
      rehearsed: ['asphalt', 'concrete', 'walls'],
    });
    // a new class: the default recipe (src/core/trainer-recipe.ts) trains the head alone, the default model's fire copies stay as they were
    expect(r.stderr).toMatch(/training the head alone \(the default when a class is added/);
    expect([meta.training.mode, meta.training.fineTuned]).toEqual(['deep', []]);
    expect(meta.training.n.replay).toBe(5);
    // --no-replay trains on the site photos alone
    const bare = await mkdtemp(path.join(os.tmpdir(), 'crackcam-ft-bare-'));
    const noReplay = await finetune([...args, '--mode', 'head', '--no-replay', '--no-routing', '--out', bare]);
    expect(noReplay.code, noReplay.stderr).toBe(0);
    expect(noReplay.stderr).not.toMatch(/rehearsing/);
    expect(noReplay.stderr).toMatch(/routing: off/);
    const bareMeta = (JSON.parse(await readFile(path.join(bare, 'model.json'), 'utf8')) as Record<string, never>)
      .userDefinedMetadata['crackcam'] as {
      surfaces: { rehearsed: string[] };
      training: { n: Record<string, number> };
      routing?: unknown;
    };
    expect(bareMeta.surfaces.rehearsed).toEqual([]);
    expect(bareMeta.routing).toBeUndefined();
    expect(bareMeta.training.n.replay).toBeUndefined();
  });
});
