/**
 * The part of fontkit 2 (an untyped package; @types/fontkit would pull Node's types into the DOM-free
 * core check) that src/core/report/pdf-font.ts uses: open a font, make a subset and encode it.
 */
declare module 'fontkit' {
  /** A glyph subset being built; `includeGlyph` returns the glyph's id in the subset. */
  export interface FontkitSubset {
    includeGlyph(glyph: unknown): number;
    encode(): Uint8Array;
    /** Present on CFF (OpenType PostScript) subsets only. */
    readonly cff?: unknown;
  }
  export interface FontkitFont {
    createSubset(): FontkitSubset;
  }
  export function create(bytes: Uint8Array): FontkitFont;
}
