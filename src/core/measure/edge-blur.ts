/**
 * The camera's blur at the marker: the printed square's sides are sharp steps from ink to paper, so
 * on the photo the distance from 25 % to 75 % of the step, across a side, is 1.349 sigma of the
 * blur (Gaussian; lens, focus, demosaicing and compression together). The marker lies on the
 * surface beside the crack, so the crack is seen through about the same blur.
 */
import { pointAlong, quadSides } from './edge-lines';
import type { Point } from './homography';
import { sampleBilinear, type GreyImage } from './pixels';
import { median } from './width-uncertainty';

const STEP = 0.25;
/** 25 % to 75 % of a Gaussian-blurred step, in sigmas. */
const QUARTILE_SPAN = 1.349;

/** First offset (px) past which the profile reaches `level`, interpolated; undefined if it never does. */
function crossing(profile: Float32Array, level: number): number | undefined {
  for (let k = 1; k < profile.length; k++) {
    if (profile[k - 1] < level && profile[k] >= level)
      return k - 1 + (level - profile[k - 1]) / (profile[k] - profile[k - 1]);
  }
  return undefined;
}

/** 25 %-75 % span (px) of the step along the outward normal n through p, or undefined when unclear. */
function stepSpan(g: GreyImage, p: Point, n: Point, reach: number): number | undefined {
  const count = Math.round((2 * reach) / STEP) + 1;
  // [count] grey levels from inside (ink) to outside (paper)
  const profile = new Float32Array(count);
  for (let k = 0; k < count; k++)
    profile[k] = sampleBilinear(g, p.x + n.x * (k * STEP - reach), p.y + n.y * (k * STEP - reach));
  const ends = Math.max(2, Math.round(1 / STEP));
  const ink = median(Array.from(profile.subarray(0, ends)));
  const paper = median(Array.from(profile.subarray(count - ends)));
  if (paper - ink < 20) return undefined;
  const low = crossing(profile, ink + 0.25 * (paper - ink));
  const high = crossing(profile, ink + 0.75 * (paper - ink));
  return low === undefined || high === undefined || high < low ? undefined : (high - low) * STEP;
}

/**
 * Blur sigma (px) measured across the sides of the marker's dark square (`corners`, refined), the
 * median of `samplesPerSide` profiles per side; undefined when too few profiles are clear.
 */
export function edgeBlurSigmaPx(g: GreyImage, corners: readonly Point[], samplesPerSide = 16): number | undefined {
  const spans: number[] = [];
  for (const side of quadSides(corners)) {
    // within the black border's first cell (1/8 of the side) inside, on the paper outside
    const reach = Math.max(2, Math.min(6, side.len / 20));
    for (let k = 0; k < samplesPerSide; k++) {
      const span = stepSpan(g, pointAlong(side, 0.15 + (0.7 * k) / (samplesPerSide - 1)), side.n, reach);
      if (span !== undefined) spans.push(span);
    }
  }
  return spans.length >= 2 * samplesPerSide ? median(spans) / QUARTILE_SPAN : undefined;
}
