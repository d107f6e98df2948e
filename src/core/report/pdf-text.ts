/**
 * Line breaking for the report: text is split at line breaks, then wrapped to a width in points,
 * between words where there are spaces and between any two characters otherwise (Japanese has no
 * spaces). Widths are the sums of each character's advance width, measured once per character and
 * size (kerning ignored: lines end up a little short at worst); measuring whole strings with the font
 * shapes them every time, which made a 200-finding report several times slower.
 */
import type { PDFFont } from 'pdf-lib';

/** Measures text in points at one size. */
export type TextWidth = (text: string) => number;

const widthCaches = new WeakMap<PDFFont, Map<number, Map<string, number>>>();

/** The width function of `font` at `size` (character widths cached per font and size). */
export function textWidth(font: PDFFont, size: number): TextWidth {
  const bySize = widthCaches.get(font) ?? new Map<number, Map<string, number>>();
  widthCaches.set(font, bySize);
  const cache = bySize.get(size) ?? new Map<string, number>();
  bySize.set(size, cache);
  const charWidth = (char: string): number => {
    let width = cache.get(char);
    if (width === undefined) {
      width = font.widthOfTextAtSize(char, size);
      cache.set(char, width);
    }
    return width;
  };
  return (text) => {
    let sum = 0;
    for (const char of text) sum += charWidth(char);
    return sum;
  };
}

/** Breaks one paragraph (no line breaks in it) into lines no wider than `maxWidth`. */
function wrapParagraph(paragraph: string, width: TextWidth, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  for (const char of paragraph) {
    if (line === '' && char === ' ' && lines.length > 0) continue; // no leading space on a wrapped line
    const charWidth = width(char);
    if (line === '' || lineWidth + charWidth <= maxWidth) {
      line += char;
      lineWidth += charWidth;
    } else if (char === ' ') {
      lines.push(line);
      [line, lineWidth] = ['', 0];
    } else {
      const space = line.lastIndexOf(' ');
      lines.push(space > 0 ? line.slice(0, space) : line);
      line = space > 0 ? line.slice(space + 1) + char : char;
      lineWidth = width(line);
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
