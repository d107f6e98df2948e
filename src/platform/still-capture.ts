/**
 * The full-resolution still of a finding: ImageCapture.takePhoto() where the browser and camera give
 * one (the sensor's photo resolution), else the video frame grabbed at the tap at the track's full
 * size. Either way a JPEG, with its source and size recorded.
 */
import { imageDataToBlob } from './image-blob';

/** A still and how it was taken. */
export interface Still {
  /** JPEG. */
  blob: Blob;
  source: 'take-photo' | 'video-frame';
  width: number;
  height: number;
}

/** How long takePhoto may take before the video frame is used instead, in milliseconds. */
export const TAKE_PHOTO_TIMEOUT_MS = 8_000;

/** Options of {@link takeStill}. */
export interface StillOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** JPEG quality of a re-encoded still, 0-1. */
  quality?: number;
}

/** Whether this browser has ImageCapture and the track can be photographed (a live video track). */
export function canTakePhoto(track: MediaStreamTrack | undefined): track is MediaStreamTrack {
  return typeof ImageCapture === 'function' && track?.kind === 'video' && track.readyState === 'live';
}

/** Resolves with `promise`, or rejects once `ms` have passed or `signal` aborts. */
function bounded<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`takePhoto gave no photo in ${ms} ms`)), ms);
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

/** `blob` decoded (for its size) and, unless it already is one, re-encoded as JPEG. */
async function asJpeg(blob: Blob, quality: number): Promise<{ blob: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    const { width, height } = bitmap;
    if (blob.type === 'image/jpeg') return { blob, width, height };
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available');
    ctx.drawImage(bitmap, 0, 0);
    return { blob: await canvas.convertToBlob({ type: 'image/jpeg', quality }), width, height };
  } finally {
    bitmap.close();
  }
}

/**
 * The still for a finding: a photo from `track` where ImageCapture works, else `frame` (the video
 * frame at the tap, RGBA at the track's size) as JPEG. A takePhoto that fails or hangs falls back to
 * the frame; an abort rejects with the signal's reason.
 */
export async function takeStill(
  track: MediaStreamTrack | undefined,
  frame: ImageData,
  options: StillOptions = {},
): Promise<Still> {
  const quality = options.quality ?? 0.92;
  if (canTakePhoto(track)) {
    try {
      const photo = await bounded(
        new ImageCapture(track).takePhoto(),
        options.timeoutMs ?? TAKE_PHOTO_TIMEOUT_MS,
        options.signal,
      );
      return { ...(await asJpeg(photo, quality)), source: 'take-photo' };
    } catch (e) {
      if (options.signal?.aborted) throw e;
      console.warn('takePhoto failed; the finding keeps the video frame instead', e);
    }
  }
  options.signal?.throwIfAborted();
  const blob = await imageDataToBlob(frame, 'image/jpeg', quality);
  return { blob, source: 'video-frame', width: frame.width, height: frame.height };
}
