import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random';
import { cli, lastJson } from './run-cli';

describe('npm run measure:card', () => {
  it('finds the card in the card scene, none in the other, and prints the summary', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-card-'));
    const rng = createRng(4);
    const texture = Uint8Array.from({ length: 96 * 96 }, () => 130 + 30 * rng());
    await sharp(texture, { raw: { width: 96, height: 96, channels: 1 } })
      .jpeg()
      .toFile(path.join(dir, 't.jpg'));
    const out = await mkdtemp(path.join(os.tmpdir(), 'crackcam-card-out-'));
    const r = await cli('measure-card-validate.ts', [
      '--n',
      '1',
      '--find-only',
      '--json',
      '--textures',
      dir,
      '--walls',
      dir,
      '--photos',
      dir,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = lastJson(r.stdout);
    expect(s).toMatchObject({ cardScenes: 1, detected: 1, scenesWithoutCard: 1, falseDetections: 0 });
    expect(s.scaleErrorMax as number).toBeLessThan(0.01);
    expect(s.realPhotosWithoutCard).toMatchObject({ photos: 1, falseDetections: 0 });
  }, 120_000);
});
