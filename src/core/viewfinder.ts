import { centreCropBox } from './crop';

/** An axis-aligned rectangle in some pixel space. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where a `srcWidth` x `srcHeight` image appears when shown with CSS `object-fit: contain` in a
 * `boxWidth` x `boxHeight` element: scaled to fit, centred, letterboxed.
 */
export function containRect(srcWidth: number, srcHeight: number, boxWidth: number, boxHeight: number): Rect {
  if (!(srcWidth > 0 && srcHeight > 0)) throw new Error(`image size must be positive, got ${srcWidth}x${srcHeight}`);
  const scale = Math.min(boxWidth / srcWidth, boxHeight / srcHeight);
  const width = srcWidth * scale;
  const height = srcHeight * scale;
  return { x: (boxWidth - width) / 2, y: (boxHeight - height) / 2, width, height };
}

/**
 * The region the model sees (the centred crop of a video frame), in the coordinates of the element
 * that shows the video with `object-fit: contain`. The UI draws the crop box and the heatmap there.
 */
export function cropBoxOnScreen(
  videoWidth: number,
  videoHeight: number,
  boxWidth: number,
  boxHeight: number,
  cropFraction = 1,
): Rect {
  const shown = containRect(videoWidth, videoHeight, boxWidth, boxHeight);
  const crop = centreCropBox(videoWidth, videoHeight, cropFraction);
  const s = shown.width / videoWidth;
  return { x: shown.x + crop.x * s, y: shown.y + crop.y * s, width: crop.size * s, height: crop.size * s };
}
