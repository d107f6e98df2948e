import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile, decodeShortSide, UnreadableImageError } from '../../src/cli/node-io';
import { useWasm } from '../helpers';

/** A `width` x `height` PNG, left half red and right half blue. */
async function halvesPng(file: string, width: number, height: number): Promise<void> {
  const blue = { create: { width: width / 2, height, channels: 3 as const, background: { r: 20, g: 40, b: 220 } } };
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .composite([{ input: blue, left: width / 2, top: 0 }])
    .png({ compressionLevel: 1 })
    .toFile(file);
}

describe('decodeImageFile', () => {
  let dir: string;
  beforeAll(async () => {
    await useWasm();
    dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-decode-'));
  });

  it('decodes a large photo shrunk to what the crop needs, aspect ratio and halves kept', async () => {
    const file = path.join(dir, 'large.png');
    await halvesPng(file, 6000, 4000);
    const side = decodeShortSide(227);
    const image = await decodeImageFile(file, { maxShortSide: side });
    expect(image.shape).toEqual([side, Math.round((side * 6000) / 4000), 3]);
    const row = (await image.array())[side >> 1];
    const centre = image.shape[1] >> 1;
    expect(row[centre - 20]).toEqual([200, 30, 30]);
    expect(row[centre + 20]).toEqual([20, 40, 220]);
    image.dispose();
  });

  it('leaves photos no larger than the limit as they are', async () => {
    const file = path.join(dir, 'small.png');
    await halvesPng(file, 300, 200);
    const image = await decodeImageFile(file, { maxShortSide: decodeShortSide(227) });
    expect(image.shape).toEqual([200, 300, 3]);
    image.dispose();
  });

  it('an unreadable file fails with an error that names it', async () => {
    const file = path.join(dir, 'broken.jpg');
    await writeFile(file, 'this is not a jpeg');
    const error = await decodeImageFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableImageError);
    expect((error as Error).message).toMatch(new RegExp(`^${file}: not a readable JPEG/PNG \\(.+\\)`));
  });
});
