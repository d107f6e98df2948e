/** Capture guidance: why a still cannot give the width, and what the inspector should do. */

/** What to tell the inspector. */
export const GUIDANCE = {
  'move-closer': 'the crack is under 2 px wide at this distance: move closer or zoom in',
  'hold-still': 'the image is blurred: hold still and refocus',
  'face-surface': 'the view is too oblique: face the surface squarely',
} as const;
export type GuidanceCode = keyof typeof GUIDANCE;

/** What the guidance is decided from. */
export interface GuidanceInput {
  /** The crack's (maximum) width as read, px (undefined when no crack was found). */
  widthPx?: number;
  /** Variance of the Laplacian of the region. */
  sharpness: number;
  /** Surface tilt at the marker, degrees (undefined without a marker). */
  tiltDeg?: number;
}

/** Thresholds of the guidance. */
export interface GuidanceLimits {
  minWidthPx: number;
  minSharpness: number;
  maxTiltDeg: number;
}

/** The guidance codes that apply, in the order to fix them. */
export function captureGuidance(input: GuidanceInput, limits: GuidanceLimits): GuidanceCode[] {
  const out: GuidanceCode[] = [];
  if (input.tiltDeg !== undefined && input.tiltDeg > limits.maxTiltDeg) out.push('face-surface');
  if (input.sharpness < limits.minSharpness) out.push('hold-still');
  if (input.widthPx !== undefined && input.widthPx < limits.minWidthPx) out.push('move-closer');
  return out;
}
