/**
 * The words printed in the report PDF. English here; the page passes its own translation (the UI's
 * language) so a Japanese inspector gets a Japanese report. Field values (notes, names) are printed as
 * entered.
 */
import type { ConditionState, DefectType, FindingMeasurement, Orientation, PositionMissingReason } from '../finding';
import type { WidthCaveat } from '../measure/guidance';
import type { WidthTrend } from '../width-change';

export interface ReportLabels {
  /** BCP 47 language of these labels (the PDF's /Lang). */
  language: string;
  title: string;
  inspection: string;
  structure: string;
  element: string;
  inspector: string;
  dateRange: string;
  findings: string;
  withPosition: string;
  byType: string;
  byState: string;
  unrated: string;
  summary: string;
  finding: string;
  time: string;
  type: string;
  orientation: string;
  state: string;
  /** Column heading of the condition state in the summary table (narrow). */
  stateShort: string;
  notes: string;
  verdict: string;
  /** Names of the built-in models' classes (crack, nocrack, normal, anomaly); other labels print as they are. */
  classNames: Record<string, string>;
  /** Said of a verdict the novelty check flagged. */
  unfamiliar: string;
  model: string;
  position: string;
  noPosition: string;
  measurement: string;
  /** Column heading of the maximum crack width and its class in the summary table. */
  width: string;
  /** Said of the mean crack width ("mean 0.21 mm"). */
  mean: string;
  /** An uncertain width class: `{lo}` and `{hi}` are replaced by the classes the width's interval spans. */
  uncertainClass: string;
  /** The classes of the single-limit standards (ACI 224R, Eurocode 2). */
  limitClasses: { within: string; exceeds: string };
  /** Which reference gave a measurement's scale. */
  scaleSources: Record<FindingMeasurement['scale'], string>;
  /** Why a width is not reliable: `{reasons}` is replaced by the caveats' words, joined. */
  unreliableWidth: string;
  widthCaveats: Record<WidthCaveat, string>;
  /** Under the summary table when a width there is marked `*`. */
  unreliableMark: string;
  /** Under the summary table when a width there is marked `↑` or `↓`. */
  trendMarks: string;
  /** A finding's row for the earlier finding of the same defect and the width's change since. */
  earlierRecord: string;
  /** How the width changed since the earlier finding. */
  widthTrends: Record<WidthTrend, string>;
  /** Said of a width change when either width is not reliable. */
  changeUnreliable: string;
  /** The earlier finding is there but one of the two has no width. */
  earlierUnmeasured: string;
  /** The earlier finding is not on the exporting device: `{id}` is replaced by its id. */
  earlierMissing: string;
  photo: string;
  overlay: string;
  map: string;
  files: string;
  page: string;
  defectTypes: Record<DefectType, string>;
  orientations: Record<Orientation, string>;
  /** Name of each condition state (e.g. 2: "Fair"). */
  states: Record<ConditionState, string>;
  positionMissing: Record<PositionMissingReason, string>;
}

export const ENGLISH_REPORT_LABELS: ReportLabels = {
  language: 'en',
  title: 'Inspection report',
  inspection: 'Inspection',
  structure: 'Structure',
  element: 'Element',
  inspector: 'Inspector',
  dateRange: 'Dates',
  findings: 'Findings',
  withPosition: 'with GPS position',
  byType: 'By defect type',
  byState: 'By condition state',
  unrated: 'Not rated',
  summary: 'Summary',
  finding: 'Finding',
  time: 'Time',
  type: 'Defect',
  orientation: 'Orientation',
  state: 'Condition state',
  stateShort: 'CS',
  notes: 'Notes',
  verdict: 'Model verdict',
  classNames: {
    crack: 'Crack',
    nocrack: 'No crack',
    normal: 'Normal',
    anomaly: 'Anomaly',
    'salt-damage': 'Salt damage',
  },
  unfamiliar: 'unfamiliar surface',
  model: 'Model',
  position: 'GPS',
  noPosition: 'no position',
  measurement: 'Width / length',
  width: 'Width',
  mean: 'mean',
  uncertainClass: 'uncertain ({lo} or {hi})',
  limitClasses: { within: 'within the limit', exceeds: 'exceeds the limit' },
  scaleSources: { marker: 'scale: printed marker', card: 'scale: bank card', given: 'scale: given by hand' },
  unreliableWidth: 'width not reliable: {reasons}',
  widthCaveats: {
    'move-closer': 'the crack is under 2 px wide in the photo',
    'hold-still': 'the photo is blurred',
    'face-surface': 'the photo is too oblique',
  },
  unreliableMark: '* width not reliable (see the finding)',
  trendMarks: '↑ wider, ↓ narrower than at the earlier record of the same defect (beyond the ±)',
  earlierRecord: 'Earlier record',
  widthTrends: { wider: 'wider', narrower: 'narrower', unchanged: 'no change beyond the ±' },
  changeUnreliable: 'a width not reliable',
  earlierUnmeasured: 'no widths to compare',
  earlierMissing: 'finding {id}, not on the exporting device',
  photo: 'Photo',
  overlay: 'Heatmap',
  map: 'Map',
  files: 'Files',
  page: 'Page',
  defectTypes: {
    crack: 'Crack',
    'salt-damage': 'Salt damage / efflorescence',
    spalling: 'Spalling',
    'exposed-rebar': 'Exposed rebar',
    other: 'Other',
  },
  orientations: { horizontal: 'Horizontal', vertical: 'Vertical', diagonal: 'Diagonal', map: 'Map cracking' },
  states: { 1: 'Good', 2: 'Fair', 3: 'Poor', 4: 'Severe' },
  positionMissing: { denied: 'location denied', unavailable: 'location unavailable', timeout: 'location timed out' },
};
