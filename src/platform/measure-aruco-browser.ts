/**
 * js-aruco2 for Vite (dev and production builds; aliased in vite.config.ts). Its files are CommonJS
 * that export by assigning to top-level `this` (`this.AR = AR`), which Vite's bundlers compile to
 * `undefined`, so a plain import gives no `AR`. Here each file runs as CommonJS does, with `this`
 * and `exports` the same object. Node (the CLI and tests) imports the package itself.
 */
import arucoSource from 'js-aruco2/src/aruco.js?raw';
import cvSource from 'js-aruco2/src/cv.js?raw';

type Exports = Record<string, unknown>;

/** Runs one CommonJS source with `this === exports`; resolves its exports. */
function runCommonJs(source: string, require: (id: string) => Exports): Exports {
  const exports: Exports = {};
  // The package's own code, bundled with the app (no network input).
  const body = new Function('exports', 'require', 'module', source) as (
    this: Exports,
    e: Exports,
    r: (id: string) => Exports,
    m: { exports: Exports },
  ) => void;
  body.call(exports, exports, require, { exports });
  return exports;
}

const cv = runCommonJs(cvSource, () => ({}));
const aruco = runCommonJs(arucoSource, (id) => {
  if (id === './cv') return cv;
  throw new Error(`js-aruco2 asked for '${id}'; only './cv' is bundled`);
});

export default { AR: aruco.AR, CV: cv.CV };
