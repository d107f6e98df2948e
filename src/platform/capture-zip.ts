/**
 * Captures as a zip of label folders (`<label>/<id>.png`, the layout `npm run train`, `eval` and
 * `finetune` read) plus `captures.json` with the metadata (time, source, location) so that an
 * import restores it. Full frames are not exported (the CLIs only read the crops).
 */
import { strToU8, strFromU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { cropBlob, validateClassName, type CaptureRecord, type CaptureStore, type NewCapture } from './capture-store';

/** Metadata file at the top of an exported zip (ignored by the CLIs, which only read folders). */
export const CAPTURES_INFO = 'captures.json';

type CaptureInfo = Omit<CaptureRecord, 'crop' | 'frame'>;

const extOf = (type: string) => (type === 'image/jpeg' ? 'jpg' : 'png');

/** Zips all captures (crops) into label folders. */
export async function capturesToZip(captures: readonly CaptureRecord[]): Promise<Uint8Array> {
  const files: Zippable = {};
  const info: Record<string, CaptureInfo> = {};
  for (const c of captures) {
    const path = `${c.label}/${c.id}.${extOf(c.crop.type)}`;
    // Images are already compressed: store them.
    files[path] = [new Uint8Array(await c.crop.arrayBuffer()), { level: 0 }];
    const { crop: _crop, frame: _frame, ...meta } = c;
    info[path] = meta;
  }
  files[CAPTURES_INFO] = strToU8(JSON.stringify({ format: 1, captures: info }, null, 1));
  return zipSync(files);
}

const IMAGE = /\.(jpe?g|png)$/i;

/** Options of {@link importCapturesZip}. */
export interface ZipImportOptions {
  /** Side of the stored crops (the model's input size). */
  size?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Reads a zip of label folders (one level: `<label>/<image>`, or inside one top folder) into new
 * captures. Images are centre-cropped to `size`. Stored in one transaction: all or none.
 * @returns how many captures were added per label
 */
export async function importCapturesZip(
  store: CaptureStore,
  zip: Uint8Array,
  options: ZipImportOptions = {},
): Promise<Record<string, number>> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, { filter: (f) => IMAGE.test(f.name) || f.name.endsWith(CAPTURES_INFO) });
  } catch (e) {
    throw new Error(`not a readable zip file (${(e as Error).message})`, { cause: e });
  }
  const infoPath = Object.keys(entries).find((p) => p === CAPTURES_INFO || p.endsWith(`/${CAPTURES_INFO}`));
  const info = infoPath
    ? ((JSON.parse(strFromU8(entries[infoPath])) as { captures?: Record<string, CaptureInfo> }).captures ?? {})
    : {};
  const prefix = infoPath ? infoPath.slice(0, infoPath.length - CAPTURES_INFO.length) : '';
  const images = Object.keys(entries)
    .filter((p) => IMAGE.test(p))
    .map((p) => ({ p, rel: p.startsWith(prefix) ? p.slice(prefix.length) : p }))
    .map(({ p, rel }) => {
      const parts = rel.split('/');
      // <label>/<file> or <top>/<label>/<file>
      return { p, rel, label: parts.length >= 2 ? parts[parts.length - 2] : '' };
    })
    .filter((x) => x.label && !x.label.startsWith('_') && !x.label.startsWith('.'));
  if (images.length === 0) throw new Error('the zip has no images in label folders (expected <label>/<image>.jpg|png)');
  const out: NewCapture[] = [];
  const counts: Record<string, number> = {};
  for (const [i, img] of images.entries()) {
    options.signal?.throwIfAborted();
    const label = validateClassName(img.label);
    const type = /\.png$/i.test(img.p) ? 'image/png' : 'image/jpeg';
    const { crop } = await cropBlob(
      new Blob([entries[img.p] as Uint8Array<ArrayBuffer>], { type }),
      options.size ?? 227,
    );
    const meta = info[img.rel];
    out.push({
      label,
      takenAt: meta?.takenAt,
      source: meta?.source ?? 'import',
      location: meta?.location,
      name: meta?.name ?? img.p.split('/').pop(),
      verdict: meta?.verdict,
      model: meta?.model,
      crop,
    });
    counts[label] = (counts[label] ?? 0) + 1;
    options.onProgress?.(i + 1, images.length);
  }
  await store.addMany(out);
  return counts;
}
