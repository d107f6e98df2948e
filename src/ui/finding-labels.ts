/** The words the UI shows for a finding's coded fields (defect type, orientation, condition state, missing position), localised. */
import { msg } from '@lit/localize';
import type { ConditionState, DefectType, Orientation, PositionMissingReason } from '../core/finding';

/** A defect type's name. */
export function defectTypeLabel(type: DefectType): string {
  switch (type) {
    case 'crack':
      return msg('Crack', { id: 'defect-type-crack', desc: 'defect type' });
    case 'salt-damage':
      return msg('Salt damage / efflorescence');
    case 'spalling':
      return msg('Spalling');
    case 'exposed-rebar':
      return msg('Exposed rebar');
    default:
      return msg('Other', { id: 'defect-type-other', desc: 'defect type' });
  }
}

/** An orientation's name. */
export function orientationLabel(orientation: Orientation): string {
  switch (orientation) {
    case 'horizontal':
      return msg('Horizontal');
    case 'vertical':
      return msg('Vertical');
    case 'diagonal':
      return msg('Diagonal');
    default:
      return msg('Map (pattern)', { desc: 'crack orientation: a network of cracks in all directions' });
  }
}

/** An AASHTO condition state's name and short meaning. */
export function conditionStateLabel(state: ConditionState): { name: string; meaning: string } {
  switch (state) {
    case 1:
      return { name: msg('Good'), meaning: msg('No or insignificant deterioration') };
    case 2:
      return { name: msg('Fair'), meaning: msg('Minor to moderate deterioration; the element is sound') };
    case 3:
      return {
        name: msg('Poor'),
        meaning: msg('Moderate to heavy deterioration; strength and serviceability not yet affected'),
      };
    default:
      return {
        name: msg('Severe'),
        meaning: msg('May affect strength or serviceability; warrants a structural review'),
      };
  }
}

/** Why a finding was saved without a position, as a sentence. */
export function positionMissingText(reason: PositionMissingReason): string {
  switch (reason) {
    case 'denied':
      return msg("Saved without a position: location access is blocked. Allow it in the browser's site settings.");
    case 'timeout':
      return msg('Saved without a position: no GPS fix in time.');
    default:
      return msg('Saved without a position: this device cannot tell its location now.');
  }
}
