/**
 * Saving a finding from the live view in a browser test: the helpers the findings and measurement
 * tests share.
 */
import type { Locator, Page } from 'playwright-core';

/** The element with `data-testid="id"` (through open shadow roots). */
export const byTestId = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/**
 * Taps Save finding once the camera runs and waits for the new finding's saved notice (not the one a
 * previous save left); resolves with its id, fails with the app's error when the save failed.
 */
export async function saveFinding(page: Page): Promise<string> {
  await page.locator('[data-testid="capture"]:not([disabled])').waitFor({ timeout: 60_000 }); // the camera runs
  const notice = byTestId(page, 'finding-saved');
  const before = (await notice.count()) > 0 ? await notice.getAttribute('data-id') : null;
  await byTestId(page, 'finding-save').click();
  const saved = before ? page.locator(`[data-testid="finding-saved"]:not([data-id="${before}"])`) : notice;
  const error = byTestId(page, 'finding-error');
  await saved.or(error).first().waitFor({ timeout: 30_000 });
  if ((await error.count()) > 0) throw new Error(`the finding was not saved: ${await error.textContent()}`);
  return (await saved.getAttribute('data-id')) as string;
}
