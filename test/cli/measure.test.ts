import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GreyImage } from '../../src/core/measure/pixels';
import { crackTruth } from '../../src/core/measure/synthetic-crack';
import { renderScene } from '../../src/core/measure/synthetic-scene';
import { createRng } from '../../src/core/random';
import { crack, mottled, scene } from '../core/measure/scenes';
import { cli, lastJson } from './run-cli';

async function writeJpeg(g: GreyImage, file: string): Promise<string> {
  const raw = { width: g.width, height: g.height, channels: 1 as const };
  await sharp(Uint8Array.from(g.data), { raw }).jpeg({ quality: 95 }).toFile(file);
  return file;
}

describe('npm run measure', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'crackcam-measure-cli-'));
  });

  it('reads the scale from the marker and prints the --json line', async () => {
    const shape = crack(1.5, 80, { x: 24, y: 0 });
    const file = await writeJpeg(
      scene({ width: 560, height: 420, mmPerPx: 0.17 }, shape, true),
      path.join(dir, 'a.jpg'),
    );
    const r = await cli('measure.ts', ['--image', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    for (const key of [
      'widthMm',
      'meanWidthMm',
      'lengthMm',
      'mmPerPx',
      'scale',
      'standard',
      'widthClass',
      'uncertainMm',
    ]) {
      expect(out).toHaveProperty(key);
    }
    expect(out.scale).toBe('marker');
    expect(out.standard).toBe('aashto-rc');
    expect(Math.abs((out.widthMm as number) - crackTruth(shape).maxWidthMm)).toBeLessThan(0.1);
    expect(out.mmPerPx as number).toBeCloseTo(0.17, 2);
    expect(out.widthClass).toBe('CS3');
  });

  it('reads the scale from a bank card when the marker is not in view', async () => {
    const shape = crack(1.2, 70, { x: 45, y: 0 });
    const g = renderScene({
      camera: { width: 800, height: 600, mmPerPx: 0.2, tiltDeg: 10, tiltAxisDeg: 30 },
      texture: mottled(3),
      textureMmPerPx: 0.2,
      crack: shape,
      card: { centreMm: { x: -20, y: 0 }, angleDeg: 20, grey: 225, face: 'plain' },
      blurPx: 0.8,
      noise: 2,
      random: createRng(7),
    });
    const file = await writeJpeg(g, path.join(dir, 'card.jpg'));
    const out = lastJson((await cli('measure.ts', ['--image', file, '--json'])).stdout);
    expect(out.scale).toBe('card');
    expect(out.cardTiltDeg).toBeGreaterThan(5);
    expect(Math.abs((out.widthMm as number) - crackTruth(shape).maxWidthMm)).toBeLessThan(0.2);
    const off = lastJson((await cli('measure.ts', ['--image', file, '--json', '--no-card'])).stdout);
    expect(off).toMatchObject({ widthMm: null, scale: null });
    expect(off.reason).toMatch(/no marker or card in view/);
  });

  it('gives widthMm null and a reason for a photo without a crack', async () => {
    const file = await writeJpeg(scene({}), path.join(dir, 'sound.jpg'));
    const r = await cli('measure.ts', ['--image', file, '--mm-per-px', '0.1', '--standard', 'ec2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    expect(out).toMatchObject({ widthMm: null, scale: 'given', mmPerPx: 0.1, standard: 'ec2:xc2-xs3' });
    expect(out.reason).toMatch(/no crack found/);
  });

  it('fails with a clear message on bad input', async () => {
    const notImage = path.join(dir, 'not-an-image.jpg');
    await writeFile(notImage, 'hello');
    const unreadable = await cli('measure.ts', ['--image', notImage]);
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.stderr).toContain(`${notImage}: not a readable JPEG/PNG`);
    const badScale = await cli('measure.ts', ['--image', notImage, '--mm-per-px', '-2']);
    expect(badScale.code).not.toBe(0);
    expect(badScale.stderr).toContain("--mm-per-px must be a number > 0, got '-2'");
    const badStandard = await cli('measure.ts', ['--image', notImage, '--standard', 'jis']);
    expect(badStandard.code).not.toBe(0);
    expect(badStandard.stderr).toContain("unknown standard 'jis'; valid: aashto-rc, aashto-ps, aci224, ec2");
  });
});
