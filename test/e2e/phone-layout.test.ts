/**
 * Every screen fits a small phone: on a 360 x 740 page (the narrowest common Android width), in
 * English and Japanese, no control or text sticks out past the right edge (where it would be cut off
 * or make the page scroll sideways), unless a scrolling box of its own holds it; and the inspection
 * screen gives the viewfinder half the height and lays its parts one under the other, none drawn over
 * another. The production build with the committed default model; the fake camera's test pattern.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openApp, startStaticServer, type AppServer } from './harness';
import { sharedBuild } from './shared-build';

const VIEWPORT = { width: 360, height: 740 };
/** Each screen, with an element its last part renders (so that the screen is checked whole, once drawn). */
const SCREENS = {
  live: 'finding-save',
  findings: 'sync-url',
  captures: 'delete',
  train: 'train-start',
  models: 'model-list',
} as const;
type Screen = keyof typeof SCREENS;

let server: AppServer;
let browser: Browser;

beforeAll(async () => {
  server = await startStaticServer((await sharedBuild()).dist);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * The visible elements (through shadow roots) whose right edge lies past the page's width and that no
 * scrolling or clipping box inside the page holds: each as `tag[data-testid]: text`.
 */
function sticksOut(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const parentOf = (e: Element): Element | null =>
      e.parentElement ?? ((e.parentNode as ShadowRoot | null)?.host as Element | undefined) ?? null;
    const heldInside = (e: Element): boolean => {
      for (let a = parentOf(e); a && a !== document.documentElement; a = parentOf(a)) {
        const overflow = getComputedStyle(a).overflowX;
        if (overflow !== 'visible' && a.getBoundingClientRect().right <= width + 1) return true;
      }
      return false;
    };
    const out: string[] = [];
    const visit = (root: Document | ShadowRoot): void => {
      for (const e of root.querySelectorAll('*')) {
        if (e.shadowRoot) visit(e.shadowRoot);
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
        if (getComputedStyle(e).visibility === 'hidden' || heldInside(e)) continue;
        const id = e.getAttribute('data-testid');
        const text = (e.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
        out.push(`${e.tagName.toLowerCase()}${id ? `[${id}]` : ''} right ${Math.round(r.right)}: ${text}`);
      }
    };
    visit(document);
    return out;
  });
}

/** The inspection screen's parts, top to bottom, in CSS px: the viewfinder, the live view's controls, and the two bars. */
function liveParts(page: Page): Promise<Record<string, { top: number; bottom: number }>> {
  return page.evaluate(() => {
    const app = document.querySelector('crackcam-app')?.shadowRoot;
    const live = app?.querySelector('crackcam-live-view');
    const box = (e: Element | null | undefined) => {
      if (!e) throw new Error('a part of the inspection screen is missing');
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom };
    };
    return {
      viewfinder: box(live?.shadowRoot?.querySelector('.viewfinder')),
      controls: box(live?.shadowRoot?.querySelector('.controls')),
      liveView: box(live),
      captureBar: box(app?.querySelector('crackcam-capture-bar')),
      findingBar: box(app?.querySelector('crackcam-finding-bar')),
    };
  });
}

describe.each(['en', 'ja'])('on a 360 px wide phone (%s)', (lang) => {
  it('every screen fits the width', async () => {
    const { context, page } = await openApp(browser, server.url, { viewport: VIEWPORT, lang });
    try {
      await page.locator('[data-testid="tab-live"]').waitFor();
      const found: Record<string, string[]> = {};
      for (const [screen, last] of Object.entries(SCREENS) as [Screen, string][]) {
        await page.locator(`[data-testid="tab-${screen}"]`).click();
        await page.locator(`[data-testid="${last}"]`).waitFor(); // the screen's lazy module and its render
        found[screen] = await sticksOut(page);
      }
      expect(found).toEqual(Object.fromEntries(Object.keys(SCREENS).map((s) => [s, []])));
    } finally {
      await context.close();
    }
  });

  it('gives the viewfinder half the height and draws no part of the inspection screen over another', async () => {
    const { context, page } = await openApp(browser, server.url, { viewport: VIEWPORT, lang });
    try {
      await page.locator('[data-testid="tab-live"]').waitFor();
      await page.locator(`[data-testid="${SCREENS.live}"]`).waitFor(); // in the last of the screen's parts to render
      const p = await liveParts(page);
      expect(p.viewfinder.bottom - p.viewfinder.top).toBeGreaterThanOrEqual(VIEWPORT.height / 2 - 1);
      expect(p.controls.bottom).toBeLessThanOrEqual(p.liveView.bottom + 1);
      expect(p.captureBar.top).toBeGreaterThanOrEqual(p.liveView.bottom - 1);
      expect(p.findingBar.top).toBeGreaterThanOrEqual(p.captureBar.bottom - 1);
    } finally {
      await context.close();
    }
  });
});
