/** The words the UI shows for crack measurements (standards, classes, reasons, guidance), localised. */
import { msg, str } from '@lit/localize';
import type { FindingMeasurement } from '../core/finding';
import type { GuidanceCode } from '../core/measure/guidance';
import { standardShortName, type StandardId } from '../core/measure/standards';
import type { NoWidthReason } from '../platform/measure-finding';

/** A standard's short name. */
export function standardLabel(id: StandardId): string {
  switch (id) {
    case 'aashto-rc':
      return msg('AASHTO reinforced concrete');
    case 'aashto-ps':
      return msg('AASHTO prestressed concrete');
    case 'aci224':
      return msg('ACI 224R');
    default:
      return msg('Eurocode 2');
  }
}

/** A width class as the standard names it ('within' and 'exceeds' for the single-limit standards). */
export function widthClassLabel(m: Pick<FindingMeasurement, 'widthClass' | 'between'>): string {
  if (m.widthClass === 'within') return msg('within the limit');
  if (m.widthClass === 'exceeds') return msg('exceeds the limit');
  if (m.widthClass === 'uncertain') {
    const [lo, hi] = (m.between ?? ['?', '?']).map((c) => widthClassLabel({ widthClass: c }));
    return msg(str`uncertain (${lo} or ${hi})`);
  }
  return m.widthClass;
}

/** One line: maximum width +- uncertainty, mean, length, class under the standard. */
export function measurementLine(m: FindingMeasurement): string {
  const width = m.widthMm.toFixed(2);
  const plus = m.uncertainMm.toFixed(2);
  const mean = m.meanWidthMm.toFixed(2);
  const length = Math.round(m.lengthMm);
  const standard = standardShortName(m.standard);
  return msg(
    str`Width ${width} mm (±${plus}), mean ${mean} mm, length ${length} mm; ${standard}: ${widthClassLabel(m)}`,
  );
}

/** Which reference gave the scale (records from before the card have 'marker' or 'given'). */
export function scaleSourceText(scale: FindingMeasurement['scale']): string {
  switch (scale) {
    case 'marker':
      return msg('Scale from the printed marker.');
    case 'card':
      return msg('Scale from a bank card (less precise than the marker).');
    default:
      return msg('Scale given by hand.');
  }
}

/** Why a measurement gave no millimetres. */
export function noWidthText(reason: NoWidthReason): string {
  return reason === 'no-marker'
    ? msg('No reference in view: place the printed marker or a bank card beside the crack.')
    : msg('No crack found in the crop box: no thin dark line long enough.');
}

/** What the inspector should do for a better still. */
export function guidanceText(code: GuidanceCode): string {
  switch (code) {
    case 'reference-outside-box':
      return msg(
        'Lay the marker or card just outside the box: inside it the model sees it and may call the surface unfamiliar.',
      );
    case 'move-closer':
      return msg('Move closer: the crack is under 2 px wide at this distance.');
    case 'hold-still':
      return msg('Hold still: the image is blurred.');
    case 'closer-to-classify':
      return msg(
        'Near a class boundary: measure again from half the distance; if it stays uncertain, check the crack against the comparator strip.',
      );
    default:
      return msg('Face the surface: the view is too oblique.');
  }
}
