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
  placeNote: string;
  markerNote: string;
  comparator: string;
  scaleBar: string;
}

export const SHEET_LABELS_EN: SheetLabels = {
  title: 'CrackCam reference sheet',
  printNote: 'Print at 100 % (no "fit to page"). The scale bar must measure 50 mm.',
  cutNote: 'Cut along the dashed line; keep the white margin round the marker blank.',
  placeNote: "Lay it beside the crack, just outside the app's square: the model must not see it.",
  markerNote: 'Marker: {dictionary} id {id}, black square {size} mm',
  comparator: 'Crack comparator (line width, mm)',
  scaleBar: '50 mm',
};

/** Page size, mm. */
export const A4_MM = { width: 210, height: 297 };

/** A filled (or, with `dash`, outlined) rectangle, mm from the page's top-left corner. */
export interface SheetRect {
  kind: 'rect';
  x: number;
  y: number;
  width: number;
  height: number;
  colour: '#000' | '#fff' | '#888';
  /** An outline of this width (mm) in these dash and gap lengths (mm) instead of a fill. */
  outline?: { width: number; dash: [number, number] };
}

/** A line of text: its baseline starts at (or, anchored `middle`, is centred on) x, y mm. */
export interface SheetText {
  kind: 'text';
  x: number;
  y: number;
  /** Font size, mm. */
  size: number;
  text: string;
  anchor: 'start' | 'middle';
}

export type SheetShape = SheetRect | SheetText;

const rect = (
  x: number,
  y: number,
  width: number,
  height: number,
  colour: SheetRect['colour'] = '#000',
): SheetRect => ({
  kind: 'rect',
  x,
  y,
  width,
  height,
  colour,
});

const text = (x: number, y: number, size: number, s: string, anchor: SheetText['anchor'] = 'start'): SheetText => ({
  kind: 'text',
  x,
  y,
  size,
  text: s,
  anchor,
});

/** The marker's black square with top-left at (x, y) mm, inside a dashed cut line `margin` mm beyond it. */
function markerShapes(spec: MarkerSpec, x: number, y: number, margin: number): SheetShape[] {
  const { cells, white } = markerCells(spec);
  const cell = spec.sizeMm / cells;
  const shapes: SheetShape[] = [rect(x, y, spec.sizeMm, spec.sizeMm)];
  white.forEach((isWhite, k) => {
    if (isWhite) shapes.push(rect(x + (k % cells) * cell, y + Math.floor(k / cells) * cell, cell, cell, '#fff'));
  });
  const side = spec.sizeMm + 2 * margin;
  shapes.push({ ...rect(x - margin, y - margin, side, side, '#888'), outline: { width: 0.2, dash: [2, 1.5] } });
  return shapes;
}

/** Comparator lines, each 30 mm long, stacked from (x, y). */
function comparatorShapes(x: number, y: number, label: string): SheetShape[] {
  return [
    text(x, y, 4, label),
    ...COMPARATOR_WIDTHS_MM.flatMap((w, k) => {
      const cy = y + 8 + k * 8;
      return [rect(x, cy - w / 2, 30, w), text(x + 34, cy + 1.4, 4, w.toFixed(1))];
    }),
  ];
}

/** A 50 mm bar with ticks every 10 mm from (x, y). */
function scaleBarShapes(x: number, y: number, label: string): SheetShape[] {
  const ticks = Array.from({ length: 6 }, (_, k) => rect(x + 10 * k - 0.15, y - 3, 0.3, 3));
  return [rect(x, y, 50, 2), ...ticks, text(x + 25, y + 7, 4, label, 'middle')];
}

/** What the sheet draws, in mm on an A4 page, for the SVG and the PDF alike. */
export function referenceSheetShapes(
  spec: MarkerSpec = DEFAULT_MARKER,
  labels: SheetLabels = SHEET_LABELS_EN,
): SheetShape[] {
  const note = labels.markerNote
    .replace('{dictionary}', spec.dictionary)
    .replace('{id}', String(spec.id))
    .replace('{size}', spec.sizeMm.toFixed(1));
  const margin = Math.max(10, spec.sizeMm / 4);
  return [
    text(20, 22, 7, labels.title),
    text(20, 30, 3.5, labels.printNote),
    text(20, 35, 3.5, labels.cutNote),
    text(20, 40, 3.5, labels.placeNote),
    ...markerShapes(spec, 20 + margin, 45 + margin, margin),
    text(20, 55 + 2 * margin + spec.sizeMm, 3.5, note),
    ...comparatorShapes(130, 50, labels.comparator),
    ...scaleBarShapes(130, 135, labels.scaleBar),
  ];
}

/** Text escaped for XML. */
function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function svgShape(shape: SheetShape): string {
  if (shape.kind === 'text')
    return `<text x="${shape.x}" y="${shape.y}" font-size="${shape.size}" text-anchor="${shape.anchor}">${xml(shape.text)}</text>`;
  const box = `x="${shape.x}" y="${shape.y}" width="${shape.width}" height="${shape.height}"`;
  if (!shape.outline) return `<rect ${box} fill="${shape.colour}"/>`;
  const { width, dash } = shape.outline;
  return `<rect ${box} fill="none" stroke="${shape.colour}" stroke-width="${width}" stroke-dasharray="${dash.join(' ')}"/>`;
}

/** The sheet as SVG text (A4, user units = millimetres). */
export function referenceSheetSvg(spec: MarkerSpec = DEFAULT_MARKER, labels: SheetLabels = SHEET_LABELS_EN): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${A4_MM.width}mm" height="${A4_MM.height}mm" viewBox="0 0 ${A4_MM.width} ${A4_MM.height}" font-family="sans-serif">`,
    `<rect width="${A4_MM.width}" height="${A4_MM.height}" fill="#fff"/>`,
    ...referenceSheetShapes(spec, labels).map(svgShape),
    '</svg>',
    '',
  ].join('\n');
}
