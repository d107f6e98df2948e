/** The words the UI shows for a finding's link to an earlier finding of the same defect, localised. */
import { msg, str } from '@lit/localize';
import type { FindingFields } from '../core/finding';
import { signedMm, type EarlierFindingLink, type WidthTrend } from '../core/width-change';
import { dateText } from './dates';
import { defectTypeLabel } from './finding-labels';

/** Characters of a finding's notes shown in its choice. */
const NOTES_SHOWN = 32;

/**
 * An earlier finding as a choice: `2025/6/1 · Crack · 0.30 mm · Pier 2, north face · near the bearing…`
 * (the notes' start tells apart the cracks of one element).
 */
export function earlierChoiceText(f: FindingFields): string {
  const width = f.measurement
    ? `${f.measurement.widthMm.toFixed(2)} mm`
    : msg('no width', { desc: 'an earlier finding without a measured crack width' });
  const where = f.context.element || f.context.structure;
  const notes = f.notes.replace(/\s+/g, ' ').trim();
  const note = notes.length > NOTES_SHOWN ? `${notes.slice(0, NOTES_SHOWN)}…` : notes;
  return [dateText(f.createdAt), defectTypeLabel(f.defectType), width, where, note].filter((t) => t).join(' · ');
}

/** What a link gives, as the screens' `data-trend` says it: the width's trend, `unmeasured` or `missing`. */
export function earlierLinkState(link: EarlierFindingLink): WidthTrend | 'unmeasured' | 'missing' {
  return link.kind === 'change' ? link.change.trend : link.kind;
}

/** `Since 2025/6/1 (0.30 mm): +0.12 mm ± 0.05, wider`, or why there is nothing to compare. */
export function earlierLinkText(link: EarlierFindingLink): string {
  if (link.kind === 'missing') return msg('Same crack as a finding not on this device');
  if (link.kind === 'unmeasured') {
    const date = dateText(link.earlierAt);
    return msg(str`Same crack as the finding of ${date}: no widths to compare`);
  }
  const c = link.change;
  const date = dateText(c.earlierAt);
  const before = c.earlierWidthMm.toFixed(2);
  const change = signedMm(c.changeMm, '−');
  const plus = c.uncertainMm.toFixed(2);
  const text =
    c.trend === 'wider'
      ? msg(str`Since ${date} (${before} mm): ${change} mm ±${plus}, wider`)
      : c.trend === 'narrower'
        ? msg(str`Since ${date} (${before} mm): ${change} mm ±${plus}, narrower`)
        : msg(str`Since ${date} (${before} mm): ${change} mm ±${plus}, no change beyond the ±`);
  return c.reliable ? text : `${text} ${msg('(a width not reliable)')}`;
}

/** A width trend as the findings filter offers it. */
export function widthTrendLabel(trend: WidthTrend): string {
  switch (trend) {
    case 'wider':
      return msg('Wider', { desc: 'filter: cracks wider than at their earlier record' });
    case 'narrower':
      return msg('Narrower', { desc: 'filter: cracks narrower than at their earlier record' });
    default:
      return msg('No change beyond the ±', { desc: 'filter: width change within the uncertainty' });
  }
}
