/**
 * The width standard the inspector chose (with its exposure for aci224 and ec2), remembered in
 * localStorage like the app's other settings. A stored value that is no longer valid falls back to
 * the default (AASHTO reinforced concrete).
 */
import { DEFAULT_EXPOSURE, STANDARD_IDS, widthStandard, type StandardId } from '../core/measure/standards';

/** The chosen standard; `exposure` only for aci224 and ec2. */
export interface MeasureSettings {
  standard: StandardId;
  exposure?: string;
}

export const MEASURE_SETTINGS_KEY = 'crackcam.widthStandard';
export const DEFAULT_MEASURE_SETTINGS: MeasureSettings = { standard: 'aashto-rc' };

/** Whether the standard takes an exposure. */
export const takesExposure = (id: StandardId): id is 'aci224' | 'ec2' => id === 'aci224' || id === 'ec2';

/** The settings checked (exposure filled in or dropped as the standard needs); throws naming the valid values. */
export function checkMeasureSettings(s: { standard: string; exposure?: string }): MeasureSettings {
  if (!(STANDARD_IDS as readonly string[]).includes(s.standard)) {
    throw new Error(`unknown standard '${s.standard}'; valid: ${STANDARD_IDS.join(', ')}`);
  }
  const standard = s.standard as StandardId;
  if (!takesExposure(standard)) return { standard };
  const exposure = s.exposure ?? DEFAULT_EXPOSURE[standard];
  widthStandard(standard, exposure);
  return { standard, exposure };
}

/** The remembered settings, or the default when none (or an invalid one) is stored. */
export function loadMeasureSettings(storage: Pick<Storage, 'getItem'> = localStorage): MeasureSettings {
  try {
    const raw = storage.getItem(MEASURE_SETTINGS_KEY);
    return raw ? checkMeasureSettings(JSON.parse(raw) as MeasureSettings) : DEFAULT_MEASURE_SETTINGS;
  } catch {
    return DEFAULT_MEASURE_SETTINGS;
  }
}

/** Checks and remembers the settings; resolves with what was stored. */
export function saveMeasureSettings(
  s: { standard: string; exposure?: string },
  storage: Pick<Storage, 'setItem'> = localStorage,
): MeasureSettings {
  const checked = checkMeasureSettings(s);
  storage.setItem(MEASURE_SETTINGS_KEY, JSON.stringify(checked));
  return checked;
}
