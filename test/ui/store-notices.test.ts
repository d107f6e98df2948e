import { configureLocalization } from '@lit/localize';
import { describe, expect, it, vi } from 'vitest';
import { legacyProblemsNotice } from '../../src/ui/store-notices';

// @lit/localize announces locale changes on `window`; Node has none.
vi.stubGlobal('window', new EventTarget());

const { setLocale } = configureLocalization({
  sourceLocale: 'en',
  targetLocales: ['ja'],
  loadLocale: () => import('../../src/locales/generated/ja'),
});

describe('legacyProblemsNotice', () => {
  it('tells of damaged captures left behind, a few by name', async () => {
    await setLocale('en');
    expect(legacyProblemsNotice(['a', 'b', 'c', 'd', 'e'])).toMatch(
      /^5 captures of the earlier version could not be read .*\(a; b; c; and 2 more\)\. Every other capture was moved\.$/,
    );
    expect(legacyProblemsNotice(['a'])).toMatch(/^1 captures .*\(a\)\./);
  });

  it('speaks Japanese', async () => {
    await setLocale('ja');
    const notice = legacyProblemsNotice(['a', 'b', 'c', 'd']);
    expect(notice).toContain('キャプチャ 4 件を読み取れなかった');
    expect(notice).toContain('（a; b; c、ほか 1 件）');
    await setLocale('en');
  });
});
