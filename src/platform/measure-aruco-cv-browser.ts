/**
 * js-aruco2's cv.js for Vite (aliased in vite.config.ts), for the same reason as
 * measure-aruco-browser.ts: the file exports through top-level `this`. Node imports the file itself.
 */
import aruco from './measure-aruco-browser';

export default { CV: aruco.CV };
