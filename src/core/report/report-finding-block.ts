/**
 * One finding's block in the report: heading, the photo beside the heatmap overlay, the fields, a
 * map link (OpenStreetMap, as a link annotation) and the names of its files in the zip. A block is
 * kept on one page.
 */
import type { PDFDocument, PDFImage } from 'pdf-lib';
import { MUTED, PageFlow } from './pdf-page-flow';
import { textWidth, wrapText } from './pdf-text';
import {
  earlierRecordText,
  mapUrl,
  measurementText,
  positionText,
  reportTime,
  stateText,
  verdictText,
} from './report-format';
import type { EarlierFindingLink } from '../width-change';
import type { FindingPhotoPaths, ReportFinding, ReportImage } from './report-finding';
import type { ReportLabels } from './report-labels';

const SIZE = 8.5;
const LINE = PageFlow.lineHeight(SIZE);
const IMAGE_HEIGHT = 140;
const LABEL_WIDTH = 100;
const CAPTION_SIZE = 7;
const CAPTION_LINE = PageFlow.lineHeight(CAPTION_SIZE);

/** Embeds a JPEG or PNG; the error names the finding and the image. */
async function embedImage(doc: PDFDocument, image: ReportImage, what: string): Promise<PDFImage> {
  try {
    return image.type === 'image/jpeg' ? await doc.embedJpg(image.bytes) : await doc.embedPng(image.bytes);
  } catch (e) {
    throw new Error(`${what} could not be read as ${image.type}: ${(e as Error).message}`, { cause: e });
  }
}

/** Draws `image` scaled to fit the box, its top-left corner at (`x`, the flow's y); returns the width drawn. */
function drawFitted(flow: PageFlow, image: PDFImage, x: number, box: { width: number; height: number }): number {
  const size = image.scaleToFit(box.width, box.height);
  flow.page.drawImage(image, { x, y: flow.y - size.height, width: size.width, height: size.height });
  return size.width;
}

/**
 * The photos' row: the earlier record's still (when there is one, captioned), the still, then the
 * overlay at the right; moves below it.
 */
function drawPhotos(
  flow: PageFlow,
  images: { earlier?: PDFImage; still: PDFImage; overlay: PDFImage },
  labels: ReportLabels,
): void {
  const photosWidth = flow.contentWidth - IMAGE_HEIGHT - 12;
  let x = flow.left;
  if (images.earlier) {
    const box = { width: (photosWidth - 12) / 2, height: IMAGE_HEIGHT };
    const width = drawFitted(flow, images.earlier, x, box);
    flow.skip(IMAGE_HEIGHT + 2);
    flow.text(labels.earlierRecord, { size: CAPTION_SIZE, color: MUTED }, x);
    flow.skip(-(IMAGE_HEIGHT + 2));
    x += width + 12;
  }
  const stillWidth = drawFitted(flow, images.still, x, { width: flow.left + photosWidth - x, height: IMAGE_HEIGHT });
  drawFitted(flow, images.overlay, x + stillWidth + 12, { width: IMAGE_HEIGHT, height: IMAGE_HEIGHT });
  flow.skip(IMAGE_HEIGHT + 10 + (images.earlier ? CAPTION_LINE : 0));
}

/** The "label: value" rows of a finding (the value may wrap). */
function fieldRows(
  finding: ReportFinding,
  paths: FindingPhotoPaths,
  labels: ReportLabels,
  earlier?: EarlierFindingLink,
): [string, string][] {
  const f = finding.fields;
  const rows: [string, string][] = [
    [labels.time, reportTime(f.createdAt)],
    [labels.structure, f.context.structure],
    [labels.element, f.context.element],
    [labels.inspector, f.context.inspector],
    [labels.state, stateText(f, labels)],
    [labels.orientation, f.orientation ? labels.orientations[f.orientation] : '–'],
    [labels.verdict, verdictText(f, labels)],
    [labels.model, `${f.model.name} v${f.model.version}`],
    [
      labels.position,
      f.position ? positionText(f.position) : labels.positionMissing[f.positionMissing ?? 'unavailable'],
    ],
  ];
  if (f.measurement)
    rows.push([labels.measurement, measurementText(f.measurement, labels, labels.scaleSources[f.measurement.scale])]);
  if (earlier) rows.push([labels.earlierRecord, earlierRecordText(earlier, labels)]);
  rows.push([labels.files, `${paths.still}, ${paths.overlay}, ${paths.crop}`]);
  rows.push([labels.notes, f.notes]);
  return rows;
}

/** Draws finding number `index` (from 1); `earlier`: what its link to an earlier finding gives. */
export async function drawFindingBlock(
  flow: PageFlow,
  finding: ReportFinding,
  index: number,
  paths: FindingPhotoPaths,
  labels: ReportLabels,
  earlier?: EarlierFindingLink,
): Promise<void> {
  const what = `finding ${finding.fields.id}`;
  const still = await embedImage(flow.doc, finding.pdfStill ?? finding.still, `the still of ${what}`);
  const overlay = await embedImage(flow.doc, finding.pdfOverlay ?? finding.overlay, `the overlay of ${what}`);
  const earlierStill = finding.earlierStill
    ? await embedImage(flow.doc, finding.earlierStill, `the earlier record's still of ${what}`)
    : undefined;
  const width = textWidth(flow.font, SIZE);
  const valueWidth = flow.contentWidth - LABEL_WIDTH;
  const rows = fieldRows(finding, paths, labels, earlier).map(([label, value]) => ({
    label,
    lines: wrapText(value || '–', width, valueWidth),
  }));
  const mapLine = finding.fields.position ? LINE : 0;
  const captionLine = earlierStill ? CAPTION_LINE : 0;
  const height =
    22 + IMAGE_HEIGHT + 10 + captionLine + rows.reduce((sum, r) => sum + r.lines.length * LINE, 0) + mapLine + 12;
  flow.ensure(Math.min(height, flow.height - 2 * 42 - 14));

  flow.line(`${labels.finding} ${index} · ${labels.defectTypes[finding.fields.defectType]}`, { size: 13 });
  flow.skip(4);
  drawPhotos(flow, { earlier: earlierStill, still, overlay }, labels);
  for (const row of rows) {
    flow.ensure(row.lines.length === 1 ? LINE : LINE * 2);
    flow.text(row.label, { size: SIZE, color: MUTED }, flow.left);
    for (const line of row.lines) {
      flow.ensure(LINE);
      flow.line(line, { size: SIZE }, flow.left + LABEL_WIDTH);
    }
  }
  if (finding.fields.position) {
    const url = mapUrl(finding.fields.position);
    flow.text(labels.map, { size: SIZE, color: MUTED }, flow.left);
    flow.link(url, url, { size: SIZE }, flow.left + LABEL_WIDTH);
    flow.skip(LINE);
  }
  flow.skip(12);
}
