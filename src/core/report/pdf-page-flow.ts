/**
 * Top-to-bottom layout over pages: a cursor `y` (PDF points from the page bottom) that moves down as
 * things are drawn and opens a new page when the next thing does not fit. Also draws text lines in the
 * report font and adds link annotations.
 */
import { PDFString, rgb, type Color, type PDFDocument, type PDFFont, type PDFPage } from 'pdf-lib';

/** Page sizes the report offers, in points (width, height). */
export const PAGE_SIZES = { A4: [595.28, 841.89], Letter: [612, 792] } as const;
export type PageSize = keyof typeof PAGE_SIZES;

/** Margin on every side, points. */
export const MARGIN = 42;
export const INK = rgb(0.1, 0.1, 0.1);
export const MUTED = rgb(0.38, 0.38, 0.38);
export const LINK_BLUE = rgb(0.05, 0.3, 0.75);

export interface TextStyle {
  size: number;
  color?: Color;
}

export class PageFlow {
  page!: PDFPage;
  /** Where the next thing's top goes. */
  y = 0;
  readonly width: number;
  readonly height: number;

  constructor(
    readonly doc: PDFDocument,
    readonly font: PDFFont,
    pageSize: PageSize,
  ) {
    [this.width, this.height] = PAGE_SIZES[pageSize];
    this.newPage();
  }

  /** Left edge and usable width of the page. */
  get left(): number {
    return MARGIN;
  }
  get contentWidth(): number {
    return this.width - 2 * MARGIN;
  }

  newPage(): void {
    this.page = this.doc.addPage([this.width, this.height]);
    this.y = this.height - MARGIN;
  }

  /** Opens a new page unless `height` points still fit above the bottom margin (footer included). */
  ensure(height: number): void {
    if (this.y - height < MARGIN + 14) this.newPage();
  }

  /** Line height of text at `size`. */
  static lineHeight(size: number): number {
    return size * 1.35;
  }

  /** Draws one line at `x` (default the left margin) on the current line and moves down. */
  line(text: string, style: TextStyle, x = this.left): void {
    this.text(text, style, x);
    this.y -= PageFlow.lineHeight(style.size);
  }

  /** Draws one line at `x` on the current line without moving down. */
  text(text: string, style: TextStyle, x: number): void {
    const baseline = this.y - style.size;
    this.page.drawText(text, { x, y: baseline, size: style.size, font: this.font, color: style.color ?? INK });
  }

  /** Moves down `points`. */
  skip(points: number): void {
    this.y -= points;
  }

  /** Draws `text` as a link to `url` at `x` on the current line (blue, with a URI link annotation). */
  link(text: string, url: string, style: TextStyle, x: number): void {
    this.text(text, { ...style, color: LINK_BLUE }, x);
    const width = this.font.widthOfTextAtSize(text, style.size);
    const bottom = this.y - style.size * 1.2;
    addLinkAnnotation(this.doc, this.page, [x, bottom, x + width, this.y], url);
  }
}

/** Adds a URI link annotation over `rect` ([x1, y1, x2, y2], points) of `page`. */
export function addLinkAnnotation(doc: PDFDocument, page: PDFPage, rect: number[], url: string): void {
  const annotation = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Link',
    Rect: rect,
    Border: [0, 0, 0],
    A: { Type: 'Action', S: 'URI', URI: PDFString.of(url) },
  });
  page.node.addAnnot(doc.context.register(annotation));
}
