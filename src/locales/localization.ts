/**
 * UI language: English (source) and Japanese, via @lit/localize in runtime mode. The initial
 * language comes from `?lang=`, else the user's saved choice, else the browser's languages.
 */
import { configureLocalization } from '@lit/localize';
import { allLocales, sourceLocale, targetLocales } from './locale-codes';

export type Locale = (typeof allLocales)[number];

/** Where the user's explicit choice is remembered. */
export const LOCALE_STORAGE_KEY = 'crackcam.locale';

/** Display names, each in its own language (so a user can find theirs whatever is shown). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ja: '日本語' };

const loaders: Record<(typeof targetLocales)[number], () => Promise<object>> = {
  ja: () => import('./generated/ja'),
};

const { getLocale, setLocale: setLitLocale } = configureLocalization({
  sourceLocale,
  targetLocales,
  loadLocale: (locale) =>
    loaders[locale as (typeof targetLocales)[number]]() as ReturnType<
      Parameters<typeof configureLocalization>[0]['loadLocale']
    >,
});

export { getLocale };

/** True if `value` is one of the app's locales. */
export function isLocale(value: string | null | undefined): value is Locale {
  return typeof value === 'string' && (allLocales as readonly string[]).includes(value);
}

/**
 * Picks the UI locale: an explicit request (`?lang=` or a saved choice) if valid, else the first
 * browser language whose primary subtag we have (`ja-JP` -> `ja`), else English.
 */
export function pickLocale(browserLanguages: readonly string[], ...explicit: (string | null | undefined)[]): Locale {
  for (const e of explicit) if (isLocale(e)) return e;
  for (const lang of browserLanguages) {
    const primary = lang.toLowerCase().split(/[-_]/)[0];
    if (isLocale(primary)) return primary;
  }
  return sourceLocale;
}

/** Switches the UI language, updates `<html lang>` and, if `remember`, saves the choice. */
export async function setLocale(locale: Locale, remember = false): Promise<void> {
  await setLitLocale(locale);
  document.documentElement.lang = locale;
  if (remember) {
    try {
      localStorage.setItem(LOCALE_STORAGE_KEY, locale);
    } catch {
      // Storage can be unavailable (private mode); the choice then lasts for this page only.
    }
  }
}

/** The locale to start with on this page. */
export function initialLocale(): Locale {
  let saved: string | null;
  try {
    saved = localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    saved = null;
  }
  return pickLocale(
    navigator.languages ?? [navigator.language],
    new URLSearchParams(location.search).get('lang'),
    saved,
  );
}
