/**
 * Dates and times as the app's language writes them (not the browser's: a Japanese screen in an
 * English browser writes 2026/12/4 23:15:11, not 12/4/2026, 11:15:11 PM).
 */
import { getLocale } from '../locales/localization';

/** Date and time of `ms` (milliseconds since the epoch) in `locale` (the app's language). */
export function dateTimeText(ms: number, locale: string = getLocale()): string {
  return new Date(ms).toLocaleString(locale);
}

/** Date of `ms` (milliseconds since the epoch) in `locale` (the app's language). */
export function dateText(ms: number, locale: string = getLocale()): string {
  return new Date(ms).toLocaleDateString(locale);
}
