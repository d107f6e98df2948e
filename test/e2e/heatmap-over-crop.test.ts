/**
 * The trainer's misclassified-capture thumbnails in real Chromium (modules loaded from the vite dev
 * server into the page): `heatmapOverCrop` paints the map with the live view's `HeatmapPainter`,
 * cells at their receptive-field centres, at opacity 0.5 over the crop.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jet } from '../../src/core/colormap';
import { launchChromium, startDevServer, type AppServer } from './harness';

let server: AppServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchChromium({ fakeDevice: false, autoAcceptCamera: false });
  page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}?backend=wasm`);
  // A string, so that vitest does not rewrite the dynamic import: the page imports the modules itself.
  await page.evaluate('window.__load = (p) => import(p)');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Paints a `grid` x `grid` map, 1 at cell (`hot`, `hot`) and 0 elsewhere, over a uniform grey crop; returns the thumbnail's size and the RGB at the given crop pixels. */
async function paintHotCell(grid: number, hot: number, grey: number, probes: [number, number][]) {
  return page.evaluate(
    async ({ grid, hot, grey, probes }) => {
      const m = (await (window as unknown as { __load(p: string): Promise<unknown> }).__load(
        '/src/ui/heatmap-painter.ts',
      )) as typeof import('../../src/ui/heatmap-painter');
      const crop = document.createElement('canvas');
      [crop.width, crop.height] = [227, 227];
      const ctx = crop.getContext('2d')!;
      ctx.fillStyle = `rgb(${grey}, ${grey}, ${grey})`;
      ctx.fillRect(0, 0, 227, 227);
      const cropBlob = await new Promise<Blob>((resolve) => crop.toBlob((b) => resolve(b!), 'image/png'));
      const map = new Float32Array(grid * grid);
      map[hot * grid + hot] = 1;
      const thumb = await createImageBitmap(await m.heatmapOverCrop(cropBlob, { map, width: grid, height: grid }));
      const out = new OffscreenCanvas(thumb.width, thumb.height).getContext('2d')!;
      out.drawImage(thumb, 0, 0);
      const pixels = probes.map(([x, y]) => Array.from(out.getImageData(x, y, 1, 1).data.slice(0, 3)));
      return { width: thumb.width, height: thumb.height, pixels };
    },
    { grid, hot, grey, probes },
  );
}

/** Half the jet colour of `t` (0..255) over half the grey. */
const blend = (t: number, grey: number) => jet(t).map((c) => 0.5 * 255 * c + 0.5 * grey);

describe('heatmapOverCrop', () => {
  it('paints a 13x13 map cell at its receptive-field centre (pixel 16k + 15) over the crop at opacity 0.5', async () => {
    // Cell 6 is centred on crop pixel 111, cell 7 on 127, cell 0 on 15 (a map stretched over the
    // crop would put cell 6 at 113.5 and cell 7 at 131: pixel (127, 111) would still be 18 % hot).
    const r = await paintHotCell(13, 6, 128, [
      [111, 111],
      [127, 111],
      [15, 15],
    ]);
    expect([r.width, r.height]).toEqual([227, 227]);
    r.pixels[0].forEach((c, i) => expect(Math.abs(c - blend(1, 128)[i])).toBeLessThanOrEqual(8));
    r.pixels[1].forEach((c, i) => expect(Math.abs(c - blend(0, 128)[i])).toBeLessThanOrEqual(8));
    r.pixels[2].forEach((c, i) => expect(Math.abs(c - blend(0, 128)[i])).toBeLessThanOrEqual(8));
  });

  it('paints the 56x56 fine map with its own cell geometry, and the crop shows through', async () => {
    // Fine-map (fire3, 56x56) cell k is centred on crop pixel 4k + 3: cell 28 on pixel 115.
    const r = await paintHotCell(56, 28, 40, [
      [115, 115],
      [3, 3],
    ]);
    r.pixels[0].forEach((c, i) => expect(Math.abs(c - blend(1, 40)[i])).toBeLessThanOrEqual(8));
    r.pixels[1].forEach((c, i) => expect(Math.abs(c - blend(0, 40)[i])).toBeLessThanOrEqual(8));
  });
});
