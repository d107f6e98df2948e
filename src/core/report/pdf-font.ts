/**
 * Embeds a TrueType font as a subset (only the glyphs the report uses) with fontkit 2.
 *
 * pdf-lib's own choice, @pdf-lib/fontkit (a 2021 fork of fontkit 1), writes subsets of Noto Sans JP
 * that lose most glyphs (TrueType) or that PDF readers reject (OpenType CFF); fontkit 2 subsets the
 * same TrueType font correctly. pdf-lib expects fontkit 1's streaming `encodeStream()`, which fontkit 2
 * replaced by `encode()`: {@link subsettingFontkit} bridges the two.
 */
import * as fontkit from 'fontkit';
import type { FontkitFont, FontkitSubset } from 'fontkit';
import type { PDFDocument, PDFFont } from 'pdf-lib';

/** pdf-lib's fontkit interface (not exported by name). */
type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

type Listener = (value?: Uint8Array | Error) => void;

/** A stream with one chunk: the encoded subset (what pdf-lib's `encodeStream()` consumer listens to). */
class EncodedSubsetStream {
  private readonly listeners = new Map<string, Listener>();

  constructor(encode: () => Uint8Array) {
    // pdf-lib attaches its data, end and error listeners synchronously: emit after that.
    void Promise.resolve().then(() => {
      try {
        this.listeners.get('data')?.(encode());
        this.listeners.get('end')?.();
      } catch (e) {
        this.listeners.get('error')?.(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, listener);
    return this;
  }
}

/** fontkit 2's subset with fontkit 1's `encodeStream()`. */
function streamingSubset(subset: FontkitSubset): object {
  return {
    cff: subset.cff,
    includeGlyph: (glyph: unknown) => subset.includeGlyph(glyph),
    encodeStream: () => new EncodedSubsetStream(() => subset.encode()),
  };
}

/** A fontkit 2 font whose `createSubset()` returns {@link streamingSubset}s; everything else is the font's own. */
function withStreamingSubsets(font: FontkitFont): FontkitFont {
  return new Proxy(font, {
    get(target, property) {
      if (property === 'createSubset') return () => streamingSubset(target.createSubset());
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** fontkit 2 as pdf-lib's `registerFontkit` wants it. */
export const subsettingFontkit = {
  create: (bytes: Uint8Array) => withStreamingSubsets(fontkit.create(bytes)),
} as unknown as Fontkit;

/** Embeds the TrueType font `bytes` in `doc`, subset to the glyphs drawn. */
export async function embedSubsetFont(doc: PDFDocument, bytes: Uint8Array): Promise<PDFFont> {
  doc.registerFontkit(subsettingFontkit);
  try {
    return await doc.embedFont(bytes, { subset: true });
  } catch (e) {
    throw new Error(`the report font could not be read (a TrueType .ttf file is needed): ${(e as Error).message}`, {
      cause: e,
    });
  }
}
