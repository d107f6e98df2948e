/**
 * The trainer's misclassified-capture thumbnails in real Chromium (modules loaded from the vite dev
 * server into the page): `heatmapOverCrop` paints the map with the live view's `HeatmapPainter`,
 * cells at their receptive-field centres, over the crop: by default in the highlight style (the
 * crop shows through where the map is low), or as the MATLAB reference's jet veil at opacity 0.5.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jet, rampAlpha } from '../../src/core/colormap';
import type { StillStyle } from '../../src/platform/heatmap-painter';
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

/**
 * Paints a `grid` x `grid` map, 1 at cell (`hot`, `hot`) and `base` elsewhere, over a uniform grey
 * crop, in `style` (the default style when undefined); returns the thumbnail's size and the RGB at
 * the given crop pixels.
 */
async function paintHotCell(
  grid: number,
  hot: number,
  grey: number,
  probes: [number, number][],
  style?: StillStyle,
  base = 0,
) {
  return page.evaluate(
    async ({ grid, hot, grey, probes, style, base }) => {
      const m = (await (window as unknown as { __load(p: string): Promise<unknown> }).__load(
        '/src/platform/heatmap-painter.ts',
      )) as typeof import('../../src/platform/heatmap-painter');
      const crop = document.createElement('canvas');
      [crop.width, crop.height] = [227, 227];
      const ctx = crop.getContext('2d')!;
      ctx.fillStyle = `rgb(${grey}, ${grey}, ${grey})`;
      ctx.fillRect(0, 0, 227, 227);
      const cropBlob = await new Promise<Blob>((resolve) => crop.toBlob((b) => resolve(b!), 'image/png'));
      const map = new Float32Array(grid * grid).fill(base);
      map[hot * grid + hot] = 1;
      const thumb = await createImageBitmap(
        await m.heatmapOverCrop(cropBlob, { map, width: grid, height: grid }, style),
      );
      const out = new OffscreenCanvas(thumb.width, thumb.height).getContext('2d')!;
      out.drawImage(thumb, 0, 0);
      const pixels = probes.map(([x, y]) => Array.from(out.getImageData(x, y, 1, 1).data.slice(0, 3)));
      return { width: thumb.width, height: thumb.height, pixels };
    },
    { grid, hot, grey, probes, style, base },
  );
}

/** The jet colour of `t` (0..255) at opacity `alpha` over the grey. */
const over = (t: number, grey: number, alpha: number) => jet(t).map((c) => alpha * 255 * c + (1 - alpha) * grey);
/** Half the jet colour of `t` (0..255) over half the grey: the MATLAB reference's veil. */
const blend = (t: number, grey: number) => over(t, grey, 0.5);
const JET_HALF: StillStyle = { mode: 'jet', alpha: 0.5 };

describe('heatmapOverCrop', () => {
  it('by default highlights the hot cell at opacity 0.7 and leaves the crop as it is where the map is 0', async () => {
    const r = await paintHotCell(13, 6, 128, [
      [111, 111],
      [127, 111],
      [15, 15],
    ]);
    expect([r.width, r.height]).toEqual([227, 227]);
    r.pixels[0].forEach((c, i) => expect(Math.abs(c - over(1, 128, 0.7)[i])).toBeLessThanOrEqual(8));
    expect(r.pixels[0][0] - r.pixels[0][2], 'hot cell is red').toBeGreaterThan(60);
    for (const cold of [r.pixels[1], r.pixels[2]])
      cold.forEach((c) => expect(Math.abs(c - 128)).toBeLessThanOrEqual(2));
  });

  it('highlights a middling map value at its ramp alpha: half of 0.7 at 0.4, midway between the knees', async () => {
    // Cell 0 (crop pixel 15) holds 0.4: smoothstep between 0.2 and 0.6 gives 1/2, times the opacity 0.7.
    const r = await paintHotCell(13, 6, 128, [[15, 15]], undefined, 0.4);
    const alpha = 0.7 * rampAlpha(0.4);
    expect(alpha).toBeCloseTo(0.35, 6);
    r.pixels[0].forEach((c, i) => expect(Math.abs(c - over(0.4, 128, alpha)[i])).toBeLessThanOrEqual(8));
  });

  it('paints a 13x13 map cell at its receptive-field centre (pixel 16k + 15) over the crop, jet at opacity 0.5', async () => {
    // Cell 6 is centred on crop pixel 111, cell 7 on 127, cell 0 on 15 (a map stretched over the
    // crop would put cell 6 at 113.5 and cell 7 at 131: pixel (127, 111) would still be 18 % hot).
    const r = await paintHotCell(
      13,
      6,
      128,
      [
        [111, 111],
        [127, 111],
        [15, 15],
      ],
      JET_HALF,
    );
    expect([r.width, r.height]).toEqual([227, 227]);
    r.pixels[0].forEach((c, i) => expect(Math.abs(c - blend(1, 128)[i])).toBeLessThanOrEqual(8));
    r.pixels[1].forEach((c, i) => expect(Math.abs(c - blend(0, 128)[i])).toBeLessThanOrEqual(8));
    r.pixels[2].forEach((c, i) => expect(Math.abs(c - blend(0, 128)[i])).toBeLessThanOrEqual(8));
  });

  it('paints the 56x56 fine map with its own cell geometry, and the crop shows through', async () => {
    // Fine-map (fire3, 56x56) cell k is centred on crop pixel 4k + 3: cell 28 on pixel 115.
    const probes: [number, number][] = [
      [115, 115],
      [3, 3],
    ];
    const veil = await paintHotCell(56, 28, 40, probes, JET_HALF);
    veil.pixels[0].forEach((c, i) => expect(Math.abs(c - blend(1, 40)[i])).toBeLessThanOrEqual(8));
    veil.pixels[1].forEach((c, i) => expect(Math.abs(c - blend(0, 40)[i])).toBeLessThanOrEqual(8));
    const highlight = await paintHotCell(56, 28, 40, probes);
    highlight.pixels[0].forEach((c, i) => expect(Math.abs(c - over(1, 40, 0.7)[i])).toBeLessThanOrEqual(8));
    highlight.pixels[1].forEach((c) => expect(Math.abs(c - 40)).toBeLessThanOrEqual(2));
  });
});
