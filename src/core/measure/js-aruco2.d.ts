/** Types for the parts of js-aruco2 (plain JS, no typings of its own) that the marker finder uses. */
declare module 'js-aruco2' {
  export interface ArucoPoint {
    x: number;
    y: number;
  }
  export interface ArucoMarker {
    id: number;
    /** Four corners, clockwise from the marker's top-left as printed. */
    corners: ArucoPoint[];
    hammingDistance: number;
  }
  export interface ArucoImage {
    width: number;
    height: number;
    /** RGBA bytes, width * height * 4. */
    data: Uint8ClampedArray | Uint8Array;
  }
  export class Detector {
    constructor(config?: { dictionaryName?: string; maxHammingDistance?: number });
    detect(image: ArucoImage): ArucoMarker[];
  }
  export class Dictionary {
    constructor(name: string);
    markSize: number;
    /** Per id, the inner bits row by row as a '0'/'1' string ('1' = white). */
    codeList: string[];
    generateSVG(id: number): string;
  }
  /** The CommonJS module object (`module.exports.AR`). */
  const aruco: { AR: { Detector: typeof Detector; Dictionary: typeof Dictionary } };
  export default aruco;
}
