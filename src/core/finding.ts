/**
 * An inspection finding: one defect recorded on site, with where it is, what it is, how bad, who
 * recorded it and what the model said. The fields follow bridge and building inspection records
 * (AASHTO Manual for Bridge Element Inspection condition states; Japan's periodic bridge
 * inspection guideline; field apps such as ODK and KoboToolbox). Pure data: the images that go with
 * a finding (full-resolution still, model crop, heatmap overlay) are stored beside it by the
 * platform layer.
 */
import { WIDTH_CAVEATS, type WidthCaveat } from './measure/guidance';

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
  /** When widthClass is 'uncertain': the narrowest and widest class the width +- uncertainty reaches. */
  between?: [string, string];
  /** Why the width is not to be trusted, when the still said so (the crack too thin, blur, an oblique view). */
  caveats?: WidthCaveat[];
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
  /**
   * How the full-resolution still was taken, its size in pixels and the live video's (`view`, when
   * recorded): a photo of another shape than the video sees more, and the crop box the model saw is
   * a smaller square of it.
   */
  still: {
    source: 'take-photo' | 'video-frame';
    width: number;
    height: number;
    view?: { width: number; height: number };
  };
  measurement?: FindingMeasurement;
  /**
   * The id of an earlier finding of the same defect (e.g. this crack at the last inspection), to
   * follow its width over time (src/core/width-change.ts).
   */
  earlierFindingId?: string;
}

/** A condition state's name and short meaning. */
export interface ConditionStateWording {
  name: string;
  meaning: string;
}

/**
 * The AASHTO Manual for Bridge Element Inspection's condition states, in English (the UI shows its own
 * translations; a report may print these).
 */
export const CONDITION_STATE_WORDING: Readonly<Record<ConditionState, ConditionStateWording>> = {
  1: { name: 'Good', meaning: 'No or insignificant deterioration' },
  2: { name: 'Fair', meaning: 'Minor to moderate deterioration; the element is sound' },
  3: { name: 'Poor', meaning: 'Moderate to heavy deterioration; strength and serviceability not yet affected' },
  4: { name: 'Severe', meaning: 'May affect strength or serviceability; warrants a structural review' },
};

/** Longest notes accepted, in characters. */
export const MAX_NOTES_LENGTH = 4000;
/** Longest inspection context entry accepted (name, structure, element, inspector), in characters. */
export const MAX_CONTEXT_LENGTH = 200;

/** The fields an inspector may change after saving (everything but id and createdAt). */
export type FindingPatch = Partial<Omit<FindingFields, 'id' | 'createdAt'>>;

/** A field with a value outside its valid values; nothing was stored. */
export class FindingFieldError extends Error {
  constructor(
    /** The field's name, e.g. `defectType` or `context.inspection`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FindingFieldError';
  }
}

const quote = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

function requireOneOf<T>(field: string, value: unknown, valid: readonly T[]): void {
  if (!valid.includes(value as T))
    throw new FindingFieldError(field, `${field} must be one of ${valid.join(', ')}; got ${quote(value)}`);
}

function requireText(field: string, value: unknown, max: number, required: boolean): void {
  if (typeof value !== 'string') throw new FindingFieldError(field, `${field} must be text; got ${quote(value)}`);
  if (required && value.trim() === '') throw new FindingFieldError(field, `${field} must not be empty`);
  if (value.length > max)
    throw new FindingFieldError(field, `${field} must be at most ${max} characters; got ${value.length}`);
}

function requireNumber(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new FindingFieldError(field, `${field} must be a number from ${min} to ${max}; got ${quote(value)}`);
}

/** Checks an inspection context: the inspection name is required (it names the export), the rest may be empty. */
export function validateInspectionContext(context: InspectionContext): InspectionContext {
  if (typeof context !== 'object' || context === null)
    throw new FindingFieldError('context', 'context must be an object with inspection, structure, element, inspector');
  requireText('context.inspection', context.inspection, MAX_CONTEXT_LENGTH, true);
  for (const key of ['structure', 'element', 'inspector'] as const)
    requireText(`context.${key}`, context[key], MAX_CONTEXT_LENGTH, false);
  return context;
}

function validatePosition(position: FindingPosition): void {
  requireNumber('position.latitude', position.latitude, -90, 90);
  requireNumber('position.longitude', position.longitude, -180, 180);
  requireNumber('position.accuracy', position.accuracy, 0, Number.MAX_VALUE);
}

/** Checks the fields a patch sets (the ones it leaves out are not looked at). */
export function validateFindingPatch(patch: FindingPatch): FindingPatch {
  if (patch.context !== undefined) validateInspectionContext(patch.context);
  if (patch.defectType !== undefined) requireOneOf('defectType', patch.defectType, DEFECT_TYPES);
  if (patch.orientation !== undefined) requireOneOf('orientation', patch.orientation, ORIENTATIONS);
  for (const c of patch.measurement?.caveats ?? []) requireOneOf('measurement.caveats', c, WIDTH_CAVEATS);
  if (patch.conditionState !== undefined) requireOneOf('conditionState', patch.conditionState, CONDITION_STATES);
  if (patch.notes !== undefined) requireText('notes', patch.notes, MAX_NOTES_LENGTH, false);
  if (patch.position !== undefined) validatePosition(patch.position);
  if (patch.positionMissing !== undefined)
    requireOneOf('positionMissing', patch.positionMissing, POSITION_MISSING_REASONS);
  if (patch.earlierFindingId !== undefined) requireText('earlierFindingId', patch.earlierFindingId, 200, true);
  if (patch.updatedAt !== undefined) requireNumber('updatedAt', patch.updatedAt, 0, Number.MAX_SAFE_INTEGER);
  return patch;
}

/** Checks a whole finding: every field within its valid values; throws {@link FindingFieldError} naming the first that is not. */
export function validateFindingFields(fields: FindingFields): FindingFields {
  requireText('id', fields.id, 200, true);
  requireNumber('createdAt', fields.createdAt, 0, Number.MAX_SAFE_INTEGER);
  requireNumber('updatedAt', fields.updatedAt, 0, Number.MAX_SAFE_INTEGER);
  requireOneOf('defectType', fields.defectType, DEFECT_TYPES);
  requireText('notes', fields.notes, MAX_NOTES_LENGTH, false);
  validateFindingPatch(fields);
  requireNumber('verdict.probability', fields.verdict?.probability, 0, 1);
  requireOneOf('still.source', fields.still?.source, ['take-photo', 'video-frame']);
  if (fields.still.view !== undefined) {
    requireNumber('still.view.width', fields.still.view.width, 1, 100_000);
    requireNumber('still.view.height', fields.still.view.height, 1, 100_000);
  }
  if (fields.earlierFindingId === fields.id)
    throw new FindingFieldError(
      'earlierFindingId',
      'earlierFindingId must name another finding, not the finding itself',
    );
  if (fields.position && fields.positionMissing)
    throw new FindingFieldError('positionMissing', 'a finding has either a position or positionMissing, not both');
  return fields;
}

/** The finding with `patch` applied (id and createdAt kept, updatedAt = `now`); checked before it is returned. */
export function patchFinding(fields: FindingFields, patch: FindingPatch, now: number): FindingFields {
  validateFindingPatch(patch);
  const { id, createdAt } = fields;
  const next: FindingFields = { ...fields, ...patch, id, createdAt, updatedAt: now };
  if (patch.position) delete next.positionMissing;
  return validateFindingFields(next);
}

/** The defect type a new finding starts with: the verdict's class when it is a defect type, else `other`. */
export function defectTypeForVerdict(label: string | undefined): DefectType {
  return DEFECT_TYPES.includes(label as DefectType) ? (label as DefectType) : 'other';
}
