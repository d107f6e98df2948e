/**
 * Crack width in millimetres from a photo:
 *   npm run measure -- --image FILE [--mm-per-px S] [--standard aashto-rc|aashto-ps|aci224|ec2] [--json]
 * The scale comes from the reference marker when it is in view (ARUCO_MIP_36h12 id 0, 40 mm black
 * square: the sheet of `npm run reference-sheet`), else from a bank card in view (ID-1, 85.60 x
 * 53.98 mm), else from --mm-per-px; with none there are no millimetres and the output says why. `--reference-sheet FILE` writes the printable sheet (PDF when FILE ends in .pdf, else SVG).
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { GUIDANCE } from '../core/measure/guidance';
import { DEFAULT_MARKER } from '../core/measure/marker-spec';
import { measureCrack, type CrackMeasurement } from '../core/measure/measure-crack';
import type { MeasureOptions } from '../core/measure/measure-options';
import { referenceSheetSvg } from '../core/measure/reference-sheet';
import { referenceSheetPdf } from '../core/measure/reference-sheet-pdf';
import { STANDARD_IDS, widthStandard } from '../core/measure/standards';
import { numberFlag, parseCli, runCli, stringFlags } from './args';
import { UnreadableImageError } from './node-io';

const USAGE = `usage: npm run measure -- --image FILE [--mm-per-px S] [--standard ${STANDARD_IDS.join('|')}] [--json]
       [--exposure E] [--marker-mm MM] [--no-marker] [--no-card]
       npm run measure -- --reference-sheet FILE.svg|FILE.pdf [--marker-mm MM]
  --mm-per-px: scale when neither the marker nor a bank card is in view (millimetres per pixel, > 0)
  --standard: width classes (default aashto-rc); --exposure for aci224 (dry-air|humidity|de-icing|seawater|water-retaining,
    default humidity) and ec2 (x0-xc1|xc2-xs3|prestressed, default xc2-xs3)
  --marker-mm: side of the marker's black square as printed (default ${DEFAULT_MARKER.sizeMm})
  --no-marker: do not look for the marker
  --no-card: do not look for a bank card (ID-1, 85.60 x 53.98 mm) when the marker is not in view`;

/** Reads an image file (EXIF orientation applied) as RGB bytes. */
async function readRgb(file: string) {
  const { data, info } = await sharp(file)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((e: Error) => {
      throw new UnreadableImageError(file, `not a readable JPEG/PNG (${e.message.split('\n')[0]})`);
    });
  return { width: info.width, height: info.height, data, channels: 3 as const };
}

const round = (v: number | null, digits: number) => (v === null ? null : Number(v.toFixed(digits)));

/** The `--json` line. */
function jsonLine(m: CrackMeasurement): string {
  return JSON.stringify({
    widthMm: round(m.widthMm, 3),
    meanWidthMm: round(m.meanWidthMm, 3),
    lengthMm: round(m.lengthMm, 1),
    mmPerPx: round(m.mmPerPx, 5),
    scale: m.scale,
    standard: m.standard,
    widthClass: m.widthClass,
    uncertainMm: round(m.uncertainMm, 3),
    ...(m.between && { between: m.between }),
    widthPx: round(m.widthPx, 2),
    blurSigmaPx: round(m.blurSigmaPx, 2),
    ...(m.marker && { markerTiltDeg: round(m.marker.tiltDeg, 1) }),
    ...(m.card && { cardTiltDeg: round(m.card.tiltDeg, 1) }),
    guidance: m.guidance,
    ...(m.reason && { reason: m.reason }),
  });
}

/** Where the scale came from, in the report. */
const SCALE_SOURCE = { marker: 'marker', card: 'bank card', given: 'given --mm-per-px' };

/** The human-readable report. */
function report(m: CrackMeasurement): string {
  const lines: string[] = [];
  if (m.widthMm !== null) {
    const cls = m.widthClass === 'uncertain' ? `uncertain (${m.between?.join(' or ')})` : m.widthClass;
    lines.push(
      `width ${m.widthMm.toFixed(2)} mm +- ${m.uncertainMm?.toFixed(2)} (max), mean ${m.meanWidthMm?.toFixed(2)} mm`,
    );
    lines.push(`length ${m.lengthMm?.toFixed(1)} mm; ${m.standard}: ${cls}`);
    lines.push(`scale ${m.mmPerPx?.toFixed(4)} mm/px from the ${SCALE_SOURCE[m.scale ?? 'given']}`);
  } else lines.push(m.reason ?? 'no width');
  if (m.widthPx !== null) {
    const blur =
      m.blurSigmaPx === null
        ? 'as read'
        : `corrected for the blur at the marker (sigma ${m.blurSigmaPx.toFixed(2)} px)`;
    lines.push(`width ${m.widthPx.toFixed(1)} px, ${blur}`);
  }
  for (const g of m.guidance) lines.push(`advice: ${GUIDANCE[g]}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseCli(USAGE, {
    ...stringFlags('image', 'mm-per-px', 'standard', 'exposure', 'marker-mm', 'reference-sheet'),
    'no-marker': { type: 'boolean' },
    'no-card': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  const markerMm = numberFlag('marker-mm', args['marker-mm'], DEFAULT_MARKER.sizeMm, { min: 0, minExclusive: true });
  const marker = { ...DEFAULT_MARKER, sizeMm: markerMm };
  if (args['reference-sheet']) {
    const file = args['reference-sheet'];
    await writeFile(
      file,
      file.toLowerCase().endsWith('.pdf') ? await referenceSheetPdf(marker) : referenceSheetSvg(marker),
    );
    process.stdout.write(`wrote ${file}\n`);
    return;
  }
  if (!args.image) throw new Error(`--image FILE is required\n\n${USAGE}`);
  widthStandard(args.standard ?? 'aashto-rc', args.exposure);
  const options: Partial<MeasureOptions> = {
    mmPerPx:
      args['mm-per-px'] === undefined
        ? undefined
        : numberFlag('mm-per-px', args['mm-per-px'], 0, { min: 0, minExclusive: true }),
    standard: args.standard ?? 'aashto-rc',
    exposure: args.exposure,
    marker: args['no-marker'] ? null : marker,
    card: !args['no-card'],
  };
  const m = await measureCrack(await readRgb(args.image), options);
  process.stdout.write(`${args.json ? jsonLine(m) : report(m)}\n`);
}

runCli(main);
