/**
 * The crack width under the crop box while the camera runs: a few times a second at most, the crop
 * box's area of the video (widened as for a still, downscaled to at most LIVE_MAX_SIDE px) is
 * measured in the measurement worker. One sample at a time, so the frame loop is never held up. The
 * page's main thread draws and reads back no pixels: it sends the video frame itself (transferred),
 * and the worker crops, scales and reads it.
 */
import { widthCaveats, type WidthCaveat } from '../core/measure/guidance';
import type { CrackMeasurement } from '../core/measure/measure-crack';
import type { MeasureClient } from './measure-client';
import type { NoWidthReason } from './measure-finding';
import { stillMeasureArea } from './measure-region';
import type { MeasureSettings } from './measure-settings';
import type { WireFrame } from './measure-protocol';
import type { Region } from '../core/measure/segment';

/** Longest side of the measured video area, px. */
export const LIVE_MAX_SIDE = 480;
/** Least time from one sample's start to the next, ms. */
export const LIVE_INTERVAL_MS = 700;

/**
 * A live reading: the width and class (with `caveats` when the frame cannot give it reliably: move
 * closer, hold still, face the surface), or why there is none; `referenceInBox` (which one) when the
 * marker or card lies in the crop box, where the classifier sees it (guidance `reference-outside-box`).
 */
export type LiveWidth = (
  | { widthMm: number; widthClass: string; between?: [string, string]; caveats?: WidthCaveat[] }
  | { reason: NoWidthReason }
) & { referenceInBox?: 'marker' | 'card' };

/** A reading as the live view shows it beside the verdict: `disputed` when the verdict names no crack. */
export type ShownLiveWidth = LiveWidth & { disputed?: boolean };

/** The verdicts a width agrees with: the classifier's crack, the normal-only model's anomaly. */
const CRACK_VERDICTS: readonly string[] = ['crack', 'anomaly'];

/**
 * The reading beside the verdict. The width and the classifier are two opinions: the width finds a
 * dark thin line, the classifier judges the crop as a whole (and misses hairlines it never saw). So
 * a width is never hidden, but while the verdict names something that is not a crack (no crack, a
 * sound surface, salt damage) it is marked `disputed`, and the inspector sees that the two disagree.
 * Before the first verdict, and on an unfamiliar surface (where the verdict is not trusted), no mark.
 */
export function shownLiveWidth(reading: LiveWidth, verdict: { label?: string; unfamiliar: boolean }): ShownLiveWidth {
  if ('reason' in reading || verdict.label === undefined || verdict.unfamiliar) return reading;
  return CRACK_VERDICTS.includes(verdict.label) ? reading : { ...reading, disputed: true };
}

/** The reading of a measurement. */
export function liveWidth(m: CrackMeasurement): LiveWidth {
  const inBox = m.guidance.includes('reference-outside-box');
  const placement = inBox ? { referenceInBox: m.scale === 'card' ? ('card' as const) : ('marker' as const) } : {};
  if (m.widthMm !== null && m.widthClass !== null) {
    const caveats = widthCaveats(m.guidance);
    return {
      widthMm: m.widthMm,
      widthClass: m.widthClass,
      ...(m.between && { between: m.between }),
      ...(caveats.length > 0 && { caveats }),
      ...placement,
    };
  }
  return { reason: m.scale === null ? 'no-marker' : 'no-crack', ...placement };
}

/** The area to grab from a `width` x `height` frame, its downscaled size, and the crop box within it. */
export function liveArea(width: number, height: number, cropFraction: number, maxSide = LIVE_MAX_SIDE) {
  const { area, region } = stillMeasureArea(width, height, { cropFraction });
  const s = Math.min(1, maxSide / Math.max(area.width, area.height));
  const out = { width: Math.max(8, Math.round(area.width * s)), height: Math.max(8, Math.round(area.height * s)) };
  const x = Math.min(out.width - 8, Math.floor(region.x * s));
  const y = Math.min(out.height - 8, Math.floor(region.y * s));
  const side = Math.max(8, Math.min(Math.floor(region.width * s), out.width - x, out.height - y));
  return { area, out, region: { x, y, width: side, height: side } };
}

/**
 * The video's current frame with the crop-box area to measure and its downscaled size (undefined
 * before the video has a frame). A VideoFrame holds the decoder's picture, no copy; a bitmap where
 * the browser has no VideoFrame.
 */
async function grabArea(
  video: HTMLVideoElement,
  cropFraction: number,
): Promise<{ image: WireFrame; region: Region } | undefined> {
  const { videoWidth: w, videoHeight: h } = video;
  if (!(w > 0 && h > 0)) return undefined;
  const { area, out, region } = liveArea(w, h, cropFraction);
  const source = typeof VideoFrame === 'function' ? new VideoFrame(video) : await createImageBitmap(video);
  return { image: { source, crop: area, size: out }, region };
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Samples the width under the crop box until `signal` aborts, calling `onWidth` with each reading
 * (or the error message of a failed one).
 */
export async function runLiveWidth(
  video: HTMLVideoElement,
  cropFraction: () => number,
  settings: () => MeasureSettings,
  client: MeasureClient,
  onWidth: (reading: LiveWidth | { error: string }) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    const started = performance.now();
    try {
      const grabbed = await grabArea(video, cropFraction());
      if (grabbed && signal.aborted) grabbed.image.source.close();
      else if (grabbed) {
        const m = await client.measure(
          grabbed.image,
          { ...settings(), region: grabbed.region, classifiedBox: grabbed.region },
          signal,
        );
        if (!signal.aborted) onWidth(liveWidth(m));
      }
    } catch (e) {
      if (!signal.aborted) onWidth({ error: e instanceof Error ? e.message : String(e) });
    }
    await wait(Math.max(0, LIVE_INTERVAL_MS - (performance.now() - started)), signal);
  }
}
