/**
 * The font the report is set in: Noto Sans JP Regular (SIL Open Font License 1.1), TrueType, from the
 * npm package @expo-google-fonts/noto-sans-jp. Covers Latin and Japanese (kana, JIS kanji). The page
 * loads it through a Vite `?url` import (src/platform/inspection-export.ts); Node resolves this module id.
 */
export const REPORT_FONT_MODULE = '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf';
