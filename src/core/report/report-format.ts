/** How field values read in the report PDF (times in UTC, ISO 8601 style, so every reader sees the same). */
import type { FindingFields, FindingMeasurement, FindingPosition } from '../finding';
import { isoTime } from './finding-row';
import { standardShortName } from '../measure/standards';
import { ENGLISH_REPORT_LABELS, type ReportLabels } from './report-labels';
import { signedMm, type EarlierFindingLink } from '../width-change';

/** `2026-05-01 09:30 UTC` */
export const reportTime = (ms: number): string => `${isoTime(ms, 'time').slice(0, 16).replace('T', ' ')} UTC`;

/** `2026-05-01`, or `2026-05-01 – 2026-05-03` for several days. */
export function reportDateRange(from: number | undefined, to: number | undefined): string {
  if (from === undefined || to === undefined) return '–';
  const [a, b] = [isoTime(from, 'from').slice(0, 10), isoTime(to, 'to').slice(0, 10)];
  return a === b ? a : `${a} – ${b}`;
}

/** `2 Fair`, or the "not rated" label. */
export const stateText = (f: FindingFields, labels: ReportLabels): string =>
  f.conditionState === undefined ? labels.unrated : `${f.conditionState} ${labels.states[f.conditionState]}`;

/** `Crack 97 %` (and `(unfamiliar surface)` when the novelty check flagged it); a label without a name as it is. */
export function verdictText(f: FindingFields, labels: ReportLabels): string {
  const name = Object.hasOwn(labels.classNames, f.verdict.label) ? labels.classNames[f.verdict.label] : f.verdict.label;
  return `${name} ${Math.round(f.verdict.probability * 100)} %${f.verdict.unfamiliar ? ` (${labels.unfamiliar})` : ''}`;
}

/** `35.681200, 139.767100 (± 8 m)` */
export const positionText = (p: FindingPosition): string =>
  `${p.latitude.toFixed(6)}, ${p.longitude.toFixed(6)} (± ${Math.round(p.accuracy)} m)`;

type ClassWords = Pick<ReportLabels, 'uncertainClass' | 'limitClasses'>;
type CaveatWords = Pick<ReportLabels, 'unreliableWidth' | 'widthCaveats'>;

/** `width not reliable: the photo is blurred, ...` for a measurement with caveats, else undefined. */
export function caveatText(m: Pick<FindingMeasurement, 'caveats'>, labels: CaveatWords): string | undefined {
  if (!m.caveats?.length) return undefined;
  return labels.unreliableWidth.replace('{reasons}', m.caveats.map((c) => labels.widthCaveats[c]).join(', '));
}

/** One class in the report's words: `CS2` as it is, `within` as `within the limit`. */
const className = (c: string, labels: ClassWords): string =>
  c === 'within' || c === 'exceeds' ? labels.limitClasses[c] : c;

/** A width class in the report's words: `CS2`, `within the limit`, `uncertain (CS1 or CS2)`. */
export function widthClassText(m: Pick<FindingMeasurement, 'widthClass' | 'between'>, labels: ClassWords): string {
  const name = (c: string) => className(c, labels);
  if (m.widthClass !== 'uncertain' || !m.between) return name(m.widthClass);
  return labels.uncertainClass.replace('{lo}', name(m.between[0])).replace('{hi}', name(m.between[1]));
}

/**
 * `0.30 mm (± 0.05), mean 0.21 mm / 120 mm, AASHTO RC: CS2`; an uncertain class names the classes it
 * spans; `scaleSource` (which reference gave the scale) and the caveats are appended when there are any.
 */
export function measurementText(
  m: FindingMeasurement,
  labels: Pick<ReportLabels, 'mean'> & ClassWords & CaveatWords = ENGLISH_REPORT_LABELS,
  scaleSource?: string,
): string {
  const width = `${m.widthMm.toFixed(2)} mm (± ${m.uncertainMm.toFixed(2)}), ${labels.mean} ${m.meanWidthMm.toFixed(2)} mm`;
  const cls = `${standardShortName(m.standard)}: ${widthClassText(m, labels)}`;
  const extra = [scaleSource, caveatText(m, labels)].filter((t) => t).map((t) => `; ${t}`);
  return `${width} / ${Math.round(m.lengthMm)} mm, ${cls}${extra.join('')}`;
}

/**
 * The summary table's cell: `0.42 mm CS2`, `0.31 mm CS1/CS2` when uncertain, `–` without a measurement;
 * `*` after a width that is not reliable (the table's note says so).
 */
export function widthCell(m: FindingMeasurement | undefined, labels: ClassWords): string {
  if (!m) return '–';
  const cls =
    m.widthClass === 'uncertain' && m.between
      ? m.between.map((c) => className(c, labels)).join('/')
      : widthClassText(m, labels);
  return `${m.widthMm.toFixed(2)} mm ${cls}${m.caveats?.length ? ' *' : ''}`;
}

type EarlierWords = Pick<ReportLabels, 'widthTrends' | 'changeUnreliable' | 'earlierUnmeasured' | 'earlierMissing'>;

/**
 * The earlier record of the same defect: `2025-06-01: 0.30 mm, +0.12 mm (± 0.05) wider`, the date
 * with no widths to compare, or the id of a finding the export does not have.
 */
export function earlierRecordText(link: EarlierFindingLink, labels: EarlierWords): string {
  if (link.kind === 'missing') return labels.earlierMissing.replace('{id}', link.earlierId);
  if (link.kind === 'unmeasured')
    return `${reportDateRange(link.earlierAt, link.earlierAt)}: ${labels.earlierUnmeasured}`;
  const c = link.change;
  const change = `${signedMm(c.changeMm)} mm (± ${c.uncertainMm.toFixed(2)}) ${labels.widthTrends[c.trend]}`;
  const caveat = c.reliable ? '' : `; ${labels.changeUnreliable}`;
  return `${reportDateRange(c.earlierAt, c.earlierAt)}: ${c.earlierWidthMm.toFixed(2)} mm, ${change}${caveat}`;
}

/** An OpenStreetMap page centred on the position with a marker. */
export function mapUrl(p: FindingPosition): string {
  const [lat, lon] = [p.latitude.toFixed(6), p.longitude.toFixed(6)];
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
}
