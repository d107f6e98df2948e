/**
 * The few runtime globals src/core uses, for tsconfig.core.json (lib ES2022 only, no DOM, no Node
 * types). Each exists alike in browsers, workers and Node >= 20, so core runs in all three; declaring
 * only these (instead of lib DOM or @types/node) makes the compiler reject anything else, e.g. a
 * `document`, `HTMLCanvasElement` or `node:fs` reaching into core. The main tsconfig.json does not
 * include this file: there lib DOM and @types/node declare the same names in full.
 *
 * TF.js's own .d.ts files mention DOM types (ImageData, HTMLImageElement in tf.browser.fromPixels,
 * WebGL types); `skipLibCheck` leaves those unchecked, so nothing is declared for them here and core
 * code naming them does not compile. Two gaps remain, which test/core/dom-free.test.ts covers:
 * tfjs-core's .d.ts pulls in @webgpu/types, whose stubs declare HTMLCanvasElement, HTMLVideoElement
 * and OffscreenCanvas; and tf.browser.* itself is typed, so a call to it would compile.
 */

/** Cancellation of long work (src/core only checks and throws). */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
}

/** Model files' JSON is decoded and encoded as UTF-8. */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

/** Timing of training phases, ms. */
declare const performance: { now(): number };

/** Yielding to the event loop between batches. */
declare function setTimeout(callback: () => void, ms?: number): unknown;

/** Deep copy of a parsed model topology. */
declare function structuredClone<T>(value: T): T;
