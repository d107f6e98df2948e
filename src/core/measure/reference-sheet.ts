/**
 * The printable reference sheet (A4, SVG in millimetres): the marker at its stated size inside a
 * blank cut-out margin, a crack-comparator strip (lines 0.1-3.0 mm wide) to check a reading by eye,
 * and a 50 mm scale bar to check that the print was not scaled.
 */
import { DEFAULT_MARKER, markerCells, type MarkerSpec } from './marker-spec';

/** Line widths of the comparator strip, mm. */
export const COMPARATOR_WIDTHS_MM = [0.1, 0.2, 0.3, 0.5, 1.0, 1.3, 2.0, 3.0];

/** The sheet's words (English by default; the app passes its translation). */
export interface SheetLabels {
  title: string;
  printNote: string;
  cutNote: string;
  markerNote: string;
  comparator: string;
  scaleBar: string;
}

export const SHEET_LABELS_EN: SheetLabels = {
  title: 'CrackCam reference sheet',
  printNote: 'Print at 100 % (no "fit to page"). The scale bar must measure 50 mm.',
  cutNote: 'Cut along the dashed line; keep the white margin round the marker blank.',
  markerNote: 'Marker: {dictionary} id {id}, black square {size} mm',
  comparator: 'Crack comparator (line width, mm)',
  scaleBar: '50 mm',
};

const A4 = { width: 210, height: 297 };

/** Text escaped for XML. */
function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x: number, y: number, size: number, s: string, anchor = 'start'): string {
  return `<text x="${x}" y="${y}" font-size="${size}" text-anchor="${anchor}">${xml(s)}</text>`;
}

/** The marker's black square with top-left at (x, y) mm, inside a dashed cut line `margin` mm beyond it. */
function markerGroup(spec: MarkerSpec, x: number, y: number, margin: number): string {
  const { cells, white } = markerCells(spec);
  const cell = spec.sizeMm / cells;
  const rects = [`<rect x="${x}" y="${y}" width="${spec.sizeMm}" height="${spec.sizeMm}" fill="#000"/>`];
  white.forEach((isWhite, k) => {
    if (!isWhite) return;
    const cx = x + (k % cells) * cell;
    const cy = y + Math.floor(k / cells) * cell;
    rects.push(`<rect x="${cx}" y="${cy}" width="${cell}" height="${cell}" fill="#fff"/>`);
  });
  const side = spec.sizeMm + 2 * margin;
  rects.push(
    `<rect x="${x - margin}" y="${y - margin}" width="${side}" height="${side}" fill="none" stroke="#888" stroke-width="0.2" stroke-dasharray="2 1.5"/>`,
  );
  return `<g id="marker">${rects.join('')}</g>`;
}

/** Comparator lines, each 30 mm long, stacked from (x, y). */
function comparatorGroup(x: number, y: number, label: string): string {
  const parts = [text(x, y, 4, label)];
  COMPARATOR_WIDTHS_MM.forEach((w, k) => {
    const cy = y + 8 + k * 8;
    parts.push(`<rect x="${x}" y="${cy - w / 2}" width="30" height="${w}" fill="#000"/>`);
    parts.push(text(x + 34, cy + 1.4, 4, w.toFixed(1)));
  });
  return `<g id="comparator">${parts.join('')}</g>`;
}

/** A 50 mm bar with ticks every 10 mm from (x, y). */
function scaleBarGroup(x: number, y: number, label: string): string {
  const ticks = Array.from(
    { length: 6 },
    (_, k) => `<rect x="${x + 10 * k - 0.15}" y="${y - 3}" width="0.3" height="3" fill="#000"/>`,
  );
  return `<g id="scale-bar"><rect x="${x}" y="${y}" width="50" height="2" fill="#000"/>${ticks.join('')}${text(x + 25, y + 7, 4, label, 'middle')}</g>`;
}

/** The sheet as SVG text (A4, user units = millimetres). */
export function referenceSheetSvg(spec: MarkerSpec = DEFAULT_MARKER, labels: SheetLabels = SHEET_LABELS_EN): string {
  const note = labels.markerNote
    .replace('{dictionary}', spec.dictionary)
    .replace('{id}', String(spec.id))
    .replace('{size}', spec.sizeMm.toFixed(1));
  const margin = Math.max(10, spec.sizeMm / 4);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${A4.width}mm" height="${A4.height}mm" viewBox="0 0 ${A4.width} ${A4.height}" font-family="sans-serif">`,
    `<rect width="${A4.width}" height="${A4.height}" fill="#fff"/>`,
    text(20, 22, 7, labels.title),
    text(20, 30, 3.5, labels.printNote),
    text(20, 35, 3.5, labels.cutNote),
    markerGroup(spec, 20 + margin, 45 + margin, margin),
    text(20, 55 + 2 * margin + spec.sizeMm, 3.5, note),
    comparatorGroup(130, 50, labels.comparator),
    scaleBarGroup(130, 135, labels.scaleBar),
    '</svg>',
    '',
  ].join('\n');
}
