/**
 * Collects a stream of byte chunks into a Blob without holding them all in the page's memory: every
 * few MB the pending chunks are folded into a Blob part, which the browser keeps in its blob storage
 * (Chromium moves large blobs out of the renderer and to disk when memory runs short).
 */

/** Pending bytes folded into a Blob part at a time. */
export const FOLD_BYTES = 8 * 1024 * 1024;

export class BlobChunks {
  private readonly parts: Blob[] = [];
  private pending: Uint8Array<ArrayBuffer>[] = [];
  private pendingBytes = 0;
  /** Most bytes held in pending chunks at once (what the page's memory held of the stream). */
  peakPendingBytes = 0;

  constructor(private readonly foldBytes = FOLD_BYTES) {}

  /** Adds the next chunk (the collector keeps a reference to it until the next fold). */
  push(chunk: Uint8Array): void {
    this.pending.push(chunk as Uint8Array<ArrayBuffer>);
    this.pendingBytes += chunk.length;
    this.peakPendingBytes = Math.max(this.peakPendingBytes, this.pendingBytes);
    if (this.pendingBytes >= this.foldBytes) this.fold();
  }

  /** Every chunk so far, in order, as one Blob of `type`. */
  toBlob(type: string): Blob {
    this.fold();
    return new Blob(this.parts, { type });
  }

  private fold(): void {
    if (this.pending.length === 0) return;
    this.parts.push(new Blob(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
