/**
 * What the screens call classes and surfaces: the model's labels and the data sets' folder names are
 * ids (`crack`, `nocrack`, `concrete`); the known ones are shown in the reader's language, and the
 * ones an inspector named (a new class, a site) as they were typed. Values, attributes and exports
 * keep the ids.
 */
import { msg } from '@lit/localize';

/** The class ids that have a display name; other labels are shown as they are. */
export const NAMED_CLASSES = ['crack', 'nocrack', 'normal', 'anomaly', 'salt-damage'] as const;

/** Display name of a class; unknown labels (user-trained models) are shown as they are. */
export function classDisplayName(label: string): string {
  switch (label) {
    case 'crack':
      return msg('Crack', { desc: 'verdict: the surface shows a crack' });
    case 'nocrack':
      return msg('No crack', { desc: 'verdict: no crack visible' });
    case 'normal':
      return msg('Normal', {
        desc: 'verdict of a normal-only model: the surface looks like the sound surface it learned',
      });
    case 'anomaly':
      return msg('Anomaly', {
        desc: 'verdict of a normal-only model: the surface looks unlike the sound surface it learned',
      });
    case 'salt-damage':
      return msg('Salt damage', { desc: 'class: efflorescence, spalling from salt' });
    default:
      return label;
  }
}

/** Display name of a surface a model was trained or rehearsed on; unknown ones (a site) as they are. */
export function surfaceDisplayName(surface: string): string {
  switch (surface) {
    case 'concrete':
      return msg('concrete', { desc: 'surface a model was trained on' });
    case 'asphalt':
      return msg('asphalt', { desc: 'surface a model was trained on' });
    case 'walls':
      return msg('walls', { desc: 'surface a model was trained on: sound walls, plaster, tiles' });
    case 'brick':
      return msg('brick', { desc: 'surface a model was trained on' });
    default:
      return surface;
  }
}
