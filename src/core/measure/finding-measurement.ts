/** A measurement as a finding records it (src/core/finding.ts), when it has millimetres. */
import type { FindingMeasurement } from '../finding';
import { widthCaveats } from './guidance';
import type { CrackMeasurement } from './measure-crack';

/** The finding's measurement fields, or undefined when the photo gave no width in millimetres. */
export function toFindingMeasurement(m: CrackMeasurement): FindingMeasurement | undefined {
  const { widthMm, meanWidthMm, lengthMm, uncertainMm, mmPerPx, scale, widthClass } = m;
  if (widthMm === null || meanWidthMm === null || lengthMm === null || uncertainMm === null) return undefined;
  if (mmPerPx === null || scale === null || widthClass === null) return undefined;
  const base = { widthMm, meanWidthMm, lengthMm, uncertainMm, mmPerPx, scale, standard: m.standard, widthClass };
  const caveats = widthCaveats(m.guidance);
  return { ...base, ...(m.between && { between: m.between }), ...(caveats.length > 0 && { caveats }) };
}
