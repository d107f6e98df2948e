import { describe, expect, it } from 'vitest';
import { BlobChunks } from '../../src/platform/blob-chunks';

const bytes = (n: number, value: number) => new Uint8Array(n).fill(value);

describe('BlobChunks', () => {
  it('keeps the chunks in order in one Blob of the given type', async () => {
    const chunks = new BlobChunks(10);
    for (let i = 0; i < 7; i++) chunks.push(bytes(4, i));
    const blob = chunks.toBlob('application/zip');
    expect(blob.type).toBe('application/zip');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0, 1, 2, 3, 4, 5, 6].flatMap((i) => [i, i, i, i]));
  });

  it('never holds more than one fold of pending bytes plus the last chunk', () => {
    const chunks = new BlobChunks(100);
    for (let i = 0; i < 50; i++) chunks.push(bytes(30, 1));
    expect(chunks.peakPendingBytes).toBeLessThanOrEqual(100 + 30);
    expect(chunks.peakPendingBytes).toBeGreaterThanOrEqual(100);
  });

  it('gives an empty Blob when nothing came', () => {
    expect(new BlobChunks().toBlob('application/zip').size).toBe(0);
  });
});
