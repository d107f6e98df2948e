import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allLocales, targetLocales } from '../../src/locales/locale-codes';
import { isLocale, pickLocale } from '../../src/locales/localization';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('pickLocale', () => {
  it('follows the browser languages by primary subtag, else English', () => {
    expect(pickLocale(['ja-JP', 'en-US'])).toBe('ja');
    expect(pickLocale(['fr-FR', 'ja'])).toBe('ja');
    expect(pickLocale(['en-GB', 'ja-JP'])).toBe('en');
    expect(pickLocale(['de-DE'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });

  it('prefers a valid explicit choice (?lang=, then the saved one) and ignores invalid ones', () => {
    expect(pickLocale(['ja-JP'], 'en')).toBe('en');
    expect(pickLocale(['en-US'], null, 'ja')).toBe('ja');
    expect(pickLocale(['en-US'], 'xx', 'ja')).toBe('ja');
    expect(pickLocale(['ja-JP'], 'xx', undefined)).toBe('ja');
    expect(isLocale('ja')).toBe(true);
    expect(isLocale('JA')).toBe(false);
  });
});

/** Trans-unit ids and whether each has a non-empty target. */
function xliffUnits(file: string): Map<string, string> {
  const xml = readFileSync(file, 'utf8');
  const units = new Map<string, string>();
  for (const m of xml.matchAll(/<trans-unit id="([^"]+)"[^>]*>([\s\S]*?)<\/trans-unit>/g)) {
    units.set(m[1], /<target>([\s\S]*?)<\/target>/.exec(m[2])?.[1].trim() ?? '');
  }
  return units;
}

describe('translations', () => {
  it('cover every message in the UI source, and the built catalogue is up to date', () => {
    // Extract the messages of the current source into a scratch folder and compare ids.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-l10n-'));
    const config = JSON.parse(readFileSync(path.join(ROOT, 'lit-localize.json'), 'utf8')) as Record<string, unknown>;
    const cfg = {
      ...config,
      tsConfig: path.join(ROOT, 'tsconfig.json'),
      inputFiles: (config.inputFiles as string[]).map((g) => path.join(ROOT, g)),
      interchange: { format: 'xliff', xliffDir: scratch },
      output: { mode: 'runtime', outputDir: path.join(scratch, 'out'), language: 'ts' },
    };
    const cfgFile = path.join(scratch, 'lit-localize.json');
    writeFileSync(cfgFile, JSON.stringify(cfg));
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/@lit/localize-tools/bin/lit-localize.js'), 'extract', '--config', cfgFile],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
    expect(allLocales).toContain('en');
    for (const locale of targetLocales) {
      const wanted = [...xliffUnits(path.join(scratch, `${locale}.xlf`)).keys()].sort();
      const committed = xliffUnits(path.join(ROOT, `src/locales/xliff/${locale}.xlf`));
      const untranslated = wanted.filter((id) => !committed.get(id));
      expect(
        untranslated,
        `messages without a ${locale} translation: run npm run localize:extract, translate, npm run localize:build`,
      ).toEqual([]);
      const built = readFileSync(path.join(ROOT, `src/locales/generated/${locale}.ts`), 'utf8');
      const missing = wanted.filter((id) => !built.includes(`'${id}':`));
      expect(missing, `src/locales/generated/${locale}.ts is stale: run npm run localize:build`).toEqual([]);
    }
  });
});
