/**
 * The reference sheet as a one-page A4 PDF, drawn from the same shapes as the SVG
 * (reference-sheet.ts) with pdf-lib: a PDF prints at 100 % more reliably than an SVG opened in a
 * browser, which may add margins or fit it to the page. Text in Helvetica (the sheet's words are
 * English; a Latin-only font keeps the file at a few kB).
 */
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { DEFAULT_MARKER, type MarkerSpec } from './marker-spec';
import { A4_MM, referenceSheetShapes, SHEET_LABELS_EN, type SheetLabels, type SheetShape } from './reference-sheet';

/** PDF points per millimetre. */
const PT_PER_MM = 72 / 25.4;
const COLOURS = { '#000': rgb(0, 0, 0), '#fff': rgb(1, 1, 1), '#888': rgb(0.533, 0.533, 0.533) } as const;
/** Fixed document dates, so that the same sheet always gives the same bytes. */
const SHEET_DATE = new Date('2026-01-01T00:00:00Z');

function drawShape(page: PDFPage, font: PDFFont, shape: SheetShape): void {
  const pt = (mm: number) => mm * PT_PER_MM;
  const pageHeight = pt(A4_MM.height);
  if (shape.kind === 'text') {
    const size = pt(shape.size);
    const width = font.widthOfTextAtSize(shape.text, size);
    const x = pt(shape.x) - (shape.anchor === 'middle' ? width / 2 : 0);
    page.drawText(shape.text, { x, y: pageHeight - pt(shape.y), size, font, color: COLOURS['#000'] });
    return;
  }
  const box = {
    x: pt(shape.x),
    y: pageHeight - pt(shape.y + shape.height),
    width: pt(shape.width),
    height: pt(shape.height),
  };
  if (!shape.outline) {
    page.drawRectangle({ ...box, color: COLOURS[shape.colour] });
    return;
  }
  page.drawRectangle({
    ...box,
    borderColor: COLOURS[shape.colour],
    borderWidth: pt(shape.outline.width),
    borderDashArray: shape.outline.dash.map(pt),
  });
}

/** The sheet as PDF bytes (A4; the same sheet gives the same bytes). */
export async function referenceSheetPdf(
  spec: MarkerSpec = DEFAULT_MARKER,
  labels: SheetLabels = SHEET_LABELS_EN,
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(labels.title);
  pdf.setCreator('CrackCam');
  pdf.setProducer('CrackCam (pdf-lib)');
  pdf.setCreationDate(SHEET_DATE);
  pdf.setModificationDate(SHEET_DATE);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([A4_MM.width * PT_PER_MM, A4_MM.height * PT_PER_MM]);
  for (const shape of referenceSheetShapes(spec, labels)) drawShape(page, font, shape);
  return pdf.save();
}
