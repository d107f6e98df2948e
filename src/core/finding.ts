/**
 * An inspection finding: one defect recorded on site, with where it is, what it is, how bad, who
 * recorded it and what the model said. The fields follow bridge and building inspection records
 * (AASHTO Manual for Bridge Element Inspection condition states; Japan's periodic bridge
 * inspection guideline; field apps such as ODK and KoboToolbox). Pure data: the images that go with
 * a finding (full-resolution still, model crop, heatmap overlay) are stored beside it by the
 * platform layer.
 */

/** Defect types an inspector picks from. */
export const DEFECT_TYPES = ['crack', 'salt-damage', 'spalling', 'exposed-rebar', 'other'] as const;
export type DefectType = (typeof DEFECT_TYPES)[number];

/** Crack orientation on the member (map = a network of cracks in all directions). */
export const ORIENTATIONS = ['horizontal', 'vertical', 'diagonal', 'map'] as const;
export type Orientation = (typeof ORIENTATIONS)[number];

/** AASHTO condition states: 1 good, 2 fair, 3 poor, 4 severe. */
export const CONDITION_STATES = [1, 2, 3, 4] as const;
export type ConditionState = (typeof CONDITION_STATES)[number];

/** What the inspector sets once per inspection; every finding carries a copy. */
export interface InspectionContext {
  /** Name of the inspection (e.g. "Route 9 bridge, 2026 periodic"); names the exported zip. */
  inspection: string;
  structure: string;
  /** Element or member (e.g. "Pier 2, north face"). */
  element: string;
  inspector: string;
}

/** GPS fix when the inspector allowed location. */
export interface FindingPosition {
  latitude: number;
  longitude: number;
  /** Metres (95 % radius as the Geolocation API reports it). */
  accuracy: number;
}

/** Why a finding has no position. */
export const POSITION_MISSING_REASONS = ['denied', 'unavailable', 'timeout'] as const;
export type PositionMissingReason = (typeof POSITION_MISSING_REASONS)[number];

/** Crack width and length when a reference scale was in view (filled by the measurement code). */
export interface FindingMeasurement {
  /** Maximum width along the crack, mm (what inspectors record). */
  widthMm: number;
  meanWidthMm: number;
  lengthMm: number;
  /** +- uncertainty of the width, mm. */
  uncertainMm: number;
  mmPerPx: number;
  scale: 'marker' | 'card' | 'given';
  /** Standard id and the class under it ('uncertain' when the uncertainty straddles a boundary). */
  standard: string;
  widthClass: string;
}

/** The recorded fields of a finding (images are stored beside it). */
export interface FindingFields {
  id: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  context: InspectionContext;
  defectType: DefectType;
  orientation?: Orientation;
  conditionState?: ConditionState;
  notes: string;
  /** The model's verdict on the crop when the finding was saved. */
  verdict: { label: string; probability: number; unfamiliar: boolean };
  model: { name: string; version: number };
  position?: FindingPosition;
  /** Set when there is no position, saying why. */
  positionMissing?: PositionMissingReason;
  /** How the full-resolution still was taken and its size in pixels. */
  still: { source: 'take-photo' | 'video-frame'; width: number; height: number };
  measurement?: FindingMeasurement;
}
