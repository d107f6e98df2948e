/** Capture guidance: why a still cannot give the width or its class, and what the inspector should do. */

/** What to tell the inspector. */
export const GUIDANCE = {
  'reference-outside-box':
    'the marker or card is inside the crop box, where the model sees it and may call the surface unfamiliar: lay it just outside the box',
  'move-closer': 'the crack is under 2 px wide at this distance: move closer or zoom in',
  'hold-still': 'the image is blurred: hold still and refocus',
  'face-surface': 'the view is too oblique: face the surface squarely',
  'closer-to-classify':
    'the width is near a class boundary: measure again from half the distance; if it stays uncertain, check it with the comparator strip',
} as const;
export type GuidanceCode = keyof typeof GUIDANCE;

/**
 * The guidance that says the width itself is not to be trusted (a finding keeps it with its width):
 * the crack is too thin to read at this distance, the still is blurred, or the view too oblique.
 */
export const WIDTH_CAVEATS = ['move-closer', 'hold-still', 'face-surface'] as const;
export type WidthCaveat = (typeof WIDTH_CAVEATS)[number];

/** The width caveats among `guidance`, in its order. */
export function widthCaveats(guidance: readonly GuidanceCode[]): WidthCaveat[] {
  return guidance.filter((g): g is WidthCaveat => (WIDTH_CAVEATS as readonly string[]).includes(g));
}

/** What the guidance is decided from. */
export interface GuidanceInput {
  /** The crack's (maximum) width as read, px (undefined when no crack was found). */
  widthPx?: number;
  /** Variance of the Laplacian of the region. */
  sharpness: number;
  /** Surface tilt at the marker, degrees (undefined without a marker). */
  tiltDeg?: number;
  /** True when width +- uncertainty straddles a class boundary of the chosen standard. */
  classUncertain?: boolean;
  /** Share of the classified crop box that the marker or card covers (undefined: no reference, or no box given). */
  referenceInBox?: number;
}

/** Thresholds of the guidance. */
export interface GuidanceLimits {
  minWidthPx: number;
  minSharpness: number;
  maxTiltDeg: number;
  maxReferenceInBox: number;
}

/** How far 'closer-to-classify' asks to measure again from: half the distance (a phone at 25 cm moves to about 12 cm). */
export const RETAKE_DISTANCE = 0.5;

/** The guidance codes that apply, in the order to fix them. */
export function captureGuidance(input: GuidanceInput, limits: GuidanceLimits): GuidanceCode[] {
  const out: GuidanceCode[] = [];
  if (input.referenceInBox !== undefined && input.referenceInBox > limits.maxReferenceInBox) {
    out.push('reference-outside-box');
  }
  if (input.tiltDeg !== undefined && input.tiltDeg > limits.maxTiltDeg) out.push('face-surface');
  if (input.sharpness < limits.minSharpness) out.push('hold-still');
  if (input.widthPx !== undefined && input.widthPx < limits.minWidthPx) out.push('move-closer');
  if (input.classUncertain) out.push('closer-to-classify');
  return out;
}
