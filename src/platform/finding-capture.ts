/**
 * Saving a finding from the live view: what the view holds at the tap (crop, frame, the heatmap as
 * painted, verdict, model, camera track) becomes a {@link FindingRecord} with the full-resolution
 * still, the GPS position (or why there is none) and a copy of the inspection context, stored in one
 * write.
 */
import {
  defectTypeForVerdict,
  type FindingFields,
  type FindingPosition,
  type InspectionContext,
  type PositionMissingReason,
} from '../core/finding';
import { imageDataToBlob } from './image-blob';
import type { FindingRecord, FindingStore } from './finding-store';
import { currentPosition, type PositionResult } from './geolocation';
import { takeStill, type Still } from './still-capture';

/** What the live view holds at the tap (`detail` of its `finding-capture` event). */
export interface FindingSnapshot {
  /** The crop the model sees, at its input size (227 x 227). */
  crop: ImageData;
  /** The whole video frame at the track's size (the still when takePhoto is not available). */
  frame: ImageData;
  /** The crop with the heatmap as painted on screen (the crop alone while the heatmap is off). */
  overlay: ImageData;
  verdict?: { label: string; probability: number };
  /** Whether the verdict said "unfamiliar surface". */
  unfamiliar: boolean;
  model?: { name: string; version: number };
  /** Milliseconds since the epoch. */
  takenAt: number;
  /** The running camera track, for ImageCapture.takePhoto(). */
  track?: MediaStreamTrack;
}

/**
 * The crop with `heatmap` (a canvas laid exactly over the crop box, any size) drawn over it, scaled to
 * the crop: what the inspector saw in the box. Synchronous, so the next frame cannot repaint it first.
 */
export function paintedOverlay(crop: ImageData, heatmap: CanvasImageSource | undefined): ImageData {
  const canvas = new OffscreenCanvas(crop.width, crop.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2D canvas is not available');
  ctx.putImageData(crop, 0, 0);
  if (heatmap) ctx.drawImage(heatmap, 0, 0, crop.width, crop.height);
  return ctx.getImageData(0, 0, crop.width, crop.height);
}

/** How {@link recordFinding} takes the still and the position (replaceable in tests). */
export interface FindingSources {
  takeStill(track: MediaStreamTrack | undefined, frame: ImageData, signal?: AbortSignal): Promise<Still>;
  locate(signal?: AbortSignal): Promise<PositionResult>;
}

const defaultSources: FindingSources = {
  takeStill: (track, frame, signal) => takeStill(track, frame, { signal }),
  locate: (signal) => currentPosition({ signal }),
};

const newId = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** The position fields of a finding: the fix, or why there is none. */
function positionFields(result: PositionResult): {
  position?: FindingPosition;
  positionMissing?: PositionMissingReason;
} {
  return 'position' in result ? { position: result.position } : { positionMissing: result.missing };
}

/** The fields of a new finding from a snapshot, its still and its position; defect type from the verdict. */
export function newFindingFields(
  snapshot: FindingSnapshot,
  context: InspectionContext,
  still: Pick<Still, 'source' | 'width' | 'height'>,
  position: PositionResult,
): FindingFields {
  return {
    id: newId(),
    createdAt: snapshot.takenAt,
    updatedAt: snapshot.takenAt,
    context: { ...context },
    defectType: defectTypeForVerdict(snapshot.verdict?.label),
    notes: '',
    verdict: {
      label: snapshot.verdict?.label ?? '',
      probability: snapshot.verdict?.probability ?? 0,
      unfamiliar: snapshot.unfamiliar,
    },
    model: snapshot.model ?? { name: '', version: 0 },
    ...positionFields(position),
    still: {
      source: still.source,
      width: still.width,
      height: still.height,
      view: { width: snapshot.frame.width, height: snapshot.frame.height },
    },
  };
}

/**
 * Builds and stores the finding of `snapshot` under `context`: still and position are taken in
 * parallel, the crop and overlay encoded as PNG, all written in one transaction. Resolves with the
 * stored record; rejects with the store's error (nothing stored) or an AbortError.
 */
export async function recordFinding(
  store: FindingStore,
  snapshot: FindingSnapshot,
  context: InspectionContext,
  signal?: AbortSignal,
  sources: FindingSources = defaultSources,
): Promise<FindingRecord> {
  const [still, position, crop, overlay] = await Promise.all([
    sources.takeStill(snapshot.track, snapshot.frame, signal),
    sources.locate(signal),
    imageDataToBlob(snapshot.crop, 'image/png'),
    imageDataToBlob(snapshot.overlay, 'image/png'),
  ]);
  signal?.throwIfAborted();
  const record: FindingRecord = {
    fields: newFindingFields(snapshot, context, still, position),
    still: still.blob,
    crop,
    overlay,
  };
  await store.put(record);
  return record;
}
