/**
 * Line breaking for the report: text is split at line breaks, then wrapped to a width in points,
 * between words where there are spaces and between any two characters otherwise (Japanese has no
 * spaces). Widths are the font's advance widths (kerning ignored: lines end up a little short at worst).
 */
import type { PDFFont } from 'pdf-lib';

/** Measures text in points at one size. */
export type TextWidth = (text: string) => number;

/** The width function of `font` at `size`. */
export const textWidth =
  (font: PDFFont, size: number): TextWidth =>
  (text) =>
    font.widthOfTextAtSize(text, size);

/** Breaks one paragraph (no line breaks in it) into lines no wider than `maxWidth`. */
function wrapParagraph(paragraph: string, width: TextWidth, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const char of paragraph) {
    if (line === '' && char === ' ' && lines.length > 0) continue; // no leading space on a wrapped line
    const next = line + char;
    if (line === '' || width(next) <= maxWidth) {
      line = next;
    } else if (char === ' ') {
      lines.push(line);
      line = '';
    } else {
      const space = line.lastIndexOf(' ');
      lines.push(space > 0 ? line.slice(0, space) : line);
      line = space > 0 ? line.slice(space + 1) + char : char;
    }
  }
  lines.push(line);
  return lines;
}

/** `text` wrapped to `maxWidth` points; an empty text is one empty line. */
export function wrapText(text: string, width: TextWidth, maxWidth: number): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .split('\n')
    .flatMap((p) => wrapParagraph(p, width, maxWidth));
}

/** `text` on one line of at most `maxWidth` points, ending in "…" when cut. */
export function fitLine(text: string, width: TextWidth, maxWidth: number): string {
  // A line holds far fewer than 300 characters: measuring more would only cost time.
  const start = [...text.replace(/\s+/g, ' ').trim()].slice(0, 300).join('');
  const lines = wrapText(start, width, maxWidth);
  if (lines.length === 1) return lines[0];
  const chars = [...lines[0]];
  while (chars.length > 0 && width(`${chars.join('')}…`) > maxWidth) chars.pop();
  return `${chars.join('')}…`;
}
