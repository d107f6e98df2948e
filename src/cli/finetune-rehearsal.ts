/**
 * The rehearsal photos of `npm run finetune`: by default the starting model's rehearsal pack (its
 * `train` photos, at most N per surface and label), or a labelled folder (`--replay DIR`, N per
 * label), or none (`--no-replay`).
 */
import path from 'node:path';
import { takePerClass } from '../core/split';
import type { NearestSurface } from '../core/rehearsal-surface';
import { rehearsalSurfaces, rehearsalTrainItems } from '../core/trainer-rehearsal';
import { DEFAULT_MODEL, listLabelledImages, type DecodeOptions, type LabelledFile } from './node-io';
import { readRehearsalFolder, rehearsalFolderOf } from './rehearsal-pack';
import { usablePhotos } from './usable-images';

/** The rehearsal flags. */
export interface RehearsalFlags {
  replay?: string;
  noReplay: boolean;
  /** Photos per surface and label (pack) or per label (folder). */
  perClass: number;
  /** The pack's surfaces to rehearse (undefined: all of them). */
  surfaces?: readonly string[];
  /**
   * The pack surface most site photos of the model's own classes lie nearest (nearestPackSurface in
   * src/core/rehearsal-surface.ts): only it is rehearsed.
   */
  siteNearest?: (packSurfaces: readonly string[]) => Promise<NearestSurface>;
  seed: number;
}

/** What a run rehearses. */
export interface Rehearsal {
  files: LabelledFile[];
  /** Rehearsal photos that could not be decoded (skipped). */
  unreadable: string[];
  /** Surfaces rehearsed (a pack's; a folder's name). */
  surfaces: string[];
  /** The training record's `replay` entry; undefined without rehearsal. */
  record?: { data: string; perClass: number; surfaces?: string[] };
}

/** The pack surfaces the flags pick (undefined: all), checked against the pack's; says why on stderr when it picks by the site. */
async function packSurfacesToRehearse(
  flags: RehearsalFlags,
  pack: readonly string[],
  dir: string,
): Promise<readonly string[] | undefined> {
  const unknown = (flags.surfaces ?? []).filter((s) => !pack.includes(s));
  if (unknown.length > 0)
    throw new Error(`the rehearsal pack in ${dir} has no surface ${unknown.join(', ')}; it has ${pack.join(', ')}`);
  if (!flags.siteNearest) return flags.surfaces;
  const { surface, near, photos } = await flags.siteNearest(pack);
  process.stderr.write(
    surface
      ? `the site's photos of the model's classes look like ${surface} (${near} of ${photos} nearest it): rehearsing it, so the new class is learnt apart from them\n`
      : "not rehearsing: none of the site's photos of the model's classes lies nearest a surface of the rehearsal pack\n",
  );
  return surface ? [surface] : [];
}

/**
 * The photos to rehearse for a run with `labels`, from the pack of `model` (default: the app's
 * default model) unless the flags say otherwise. A model without a pack rehearses nothing (the
 * caller says so); a folder with a label the run does not have is refused, naming it.
 */
export async function rehearsalPhotos(
  flags: RehearsalFlags,
  run: { model?: string; labels: readonly string[]; decode: DecodeOptions },
): Promise<Rehearsal> {
  const none: Rehearsal = { files: [], unreadable: [], surfaces: [] };
  if (flags.noReplay) return none;
  if (flags.replay) {
    const picked = takePerClass((await listLabelledImages(flags.replay)).files, flags.perClass, flags.seed);
    const strange = [...new Set(picked.map((f) => f.label))].filter((l) => !run.labels.includes(l));
    if (strange.length > 0)
      throw new Error(
        `--replay ${flags.replay} has labels ${strange.join(', ')} that the model does not have (${run.labels.join(', ')})`,
      );
    const checked = await usablePhotos(picked, run.decode);
    const name = path.basename(path.resolve(flags.replay));
    return {
      files: checked.usable,
      unreadable: checked.unreadable.map((u) => u.file),
      surfaces: [name],
      record: { data: name, perClass: flags.perClass },
    };
  }
  const dir = rehearsalFolderOf(run.model ?? DEFAULT_MODEL);
  const pack = await readRehearsalFolder(dir);
  if (!pack) {
    process.stderr.write(`no rehearsal pack in ${dir}: training without rehearsal\n`);
    return none;
  }
  const picked = await packSurfacesToRehearse(flags, rehearsalSurfaces(pack.files), dir);
  if (picked?.length === 0) return none;
  const items = rehearsalTrainItems(pack.files, run.labels, flags.perClass, picked);
  const checked = await usablePhotos(items, run.decode);
  const surfaces = rehearsalSurfaces(checked.usable);
  process.stderr.write(
    `rehearsing ${checked.usable.length} photos of ${surfaces.join(', ')} from ${dir} (at most ${flags.perClass} per surface and label)\n`,
  );
  return {
    files: checked.usable,
    unreadable: checked.unreadable.map((u) => u.file),
    surfaces,
    record: { data: 'rehearsal pack', perClass: flags.perClass, surfaces },
  };
}
