/**
 * The site router of `npm run finetune` (src/core/site-router.ts): fitted on the site's training
 * photos against the starting model's rehearsal pack (`train` photos), checked on the site's
 * validation photos and the pack's `eval` photos. Not fitted when the starting model is itself
 * adapted (its earlier site's photos are not in this run) or has no pack.
 */
import type { ModelMetadata } from '../core/metadata';
import type { NoveltyInfo } from '../core/novelty';
import type { RoutingInfo } from '../core/routing-info';
import { pct, siteRouterFor, type SiteRouterOutcome } from '../core/site-router';
import type { BaseNetwork } from '../core/base';
import { photoSamples } from './classifier-training';
import { DEFAULT_MODEL, type DecodeOptions, type LabelledFile } from './node-io';
import { readRehearsalFolder, rehearsalFolderOf } from './rehearsal-pack';
import { usablePhotos } from './usable-images';

/** What the router is fitted from. */
export interface FinetuneRouterRun {
  base: BaseNetwork;
  parent: ModelMetadata;
  /** The model folder or model.json the run started from (default: the app's default model). */
  model?: string;
  featureLayer: string;
  novelty?: NoveltyInfo;
  labels: readonly string[];
  train: readonly LabelledFile[];
  validation: readonly LabelledFile[];
  decode: DecodeOptions;
}

/** `routing` with a site router when one is fitted and kept; says on stderr what was decided. */
export async function withSiteRouter(routing: RoutingInfo, run: FinetuneRouterRun): Promise<RoutingInfo> {
  const started = performance.now();
  const outcome = await fit(routing, run);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`site router: ${routerNote(outcome)} (${seconds} s)\n`);
  return outcome.router ? { ...routing, router: outcome.router } : routing;
}

async function fit(routing: RoutingInfo, run: FinetuneRouterRun): Promise<SiteRouterOutcome> {
  if (run.parent.routing)
    return { reason: "the starting model is adapted already; its earlier site's photos are not in this run" };
  if (!run.novelty) return { reason: 'no novelty model' };
  const pack = await readRehearsalFolder(rehearsalFolderOf(run.model ?? DEFAULT_MODEL));
  if (!pack) return { reason: 'the starting model has no rehearsal pack' };
  const known = pack.files.filter((f) => run.labels.includes(f.label));
  const usable = async (use: string) =>
    (
      await usablePhotos(
        known.filter((f) => f.use === use),
        run.decode,
      )
    ).usable;
  const samples = (files: readonly LabelledFile[]) => photoSamples(files, run.labels, run.parent.inputSize);
  return siteRouterFor({
    ...run,
    novelty: run.novelty,
    routing,
    site: { train: samples(run.train), heldOut: samples(run.validation) },
    old: { train: samples(await usable('train')), heldOut: samples(await usable('eval')) },
  });
}

function routerNote(outcome: SiteRouterOutcome): string {
  const { check: c, nearest: n } = outcome;
  const check =
    c && n
      ? ` (to the site's head, held out: ${pct(c.site)} of the site's photos and ${pct(c.old)} of the old surfaces', by the nearest group ${pct(n.site)} and ${pct(n.old)})`
      : '';
  return outcome.router
    ? `kept${check}: it decides which head answers`
    : `not kept, ${outcome.reason}${check}; the nearest novelty group decides which head answers`;
}
