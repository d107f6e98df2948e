/**
 * What a capture or finding bar shows after a failure: its kind (the error element's `data-kind`) and
 * either a message already worded elsewhere (`text`, e.g. a store's) or the detail to put into the
 * bar's own words. The bar words it at render, so the text follows the UI's language.
 */
export interface BarFailure {
  kind: string;
  text?: string;
  detail?: string;
}
