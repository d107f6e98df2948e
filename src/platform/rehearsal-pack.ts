/**
 * The rehearsal pack of a model in the browser: `<model folder>/rehearsal/index.json` and its crops,
 * fetched (through the service worker, which precaches the default model's pack, so offline too).
 * See src/core/trainer-rehearsal.ts for the format.
 */
import {
  REHEARSAL_FOLDER,
  REHEARSAL_INDEX_FILE,
  rehearsalSurfaces,
  validateRehearsalIndex,
  type RehearsalUse,
} from '../core/trainer-rehearsal';

/** One photo of a rehearsal pack. */
export interface RehearsalItem {
  /** Unique among captures and pack items: `rehearsal/<file>`. */
  id: string;
  label: string;
  surface: string;
  /** `train`: rehearsed in fine-tuning; `eval`: never trained on, the old-surface check. */
  use: RehearsalUse;
  /** The 227x227 JPEG crop, as a capture's `crop` (decode with `blobToTensor`; travels to the training worker as is). */
  crop: Blob;
}

/** A model's rehearsal pack. */
export interface RehearsalPack {
  items: RehearsalItem[];
  /** The surfaces it has photos of, e.g. concrete, asphalt, walls. */
  surfaces: string[];
}

/** The model's folder URL (ending in `/`) from its folder or its model.json URL. */
function modelFolderUrl(modelBaseUrl: string): string {
  const base = typeof document === 'undefined' ? undefined : document.baseURI;
  const url = new URL(modelBaseUrl, base);
  if (url.pathname.endsWith('.json')) return new URL('.', url).href;
  return url.pathname.endsWith('/') ? url.href : `${url.href}/`;
}

/**
 * Loads the rehearsal pack next to a model (`modelBaseUrl`: its folder, or its model.json URL).
 * Resolves to null when the model has none (index.json answers 404); throws, naming the file and the
 * problem, when the index is corrupt or a listed photo cannot be fetched.
 */
export async function loadRehearsalPack(modelBaseUrl: string, signal?: AbortSignal): Promise<RehearsalPack | null> {
  const folder = new URL(`${REHEARSAL_FOLDER}/`, modelFolderUrl(modelBaseUrl)).href;
  const indexUrl = new URL(REHEARSAL_INDEX_FILE, folder).href;
  const res = await fetch(indexUrl, { signal });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`rehearsal pack: HTTP ${res.status} ${res.statusText} for ${indexUrl}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch (e) {
    throw new Error(`rehearsal pack: ${indexUrl} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  let index;
  try {
    index = validateRehearsalIndex(json);
  } catch (e) {
    throw new Error(`${(e as Error).message} (${indexUrl})`, { cause: e });
  }
  const items: RehearsalItem[] = [];
  for (const item of index.items) {
    const url = new URL(item.file, folder).href;
    const photo = await fetch(url, { signal });
    if (!photo.ok) throw new Error(`rehearsal pack: HTTP ${photo.status} for ${url}, listed in ${indexUrl}`);
    items.push({
      id: `${REHEARSAL_FOLDER}/${item.file}`,
      label: item.label,
      surface: item.surface,
      use: item.use,
      crop: await photo.blob(),
    });
  }
  return { items, surfaces: rehearsalSurfaces(items) };
}
