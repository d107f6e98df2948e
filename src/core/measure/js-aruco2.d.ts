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

/** js-aruco2's computer-vision routines (its cv.js), those the card finder uses. */
declare module 'js-aruco2/src/cv.js' {
  export interface CvPoint {
    x: number;
    y: number;
  }
  /** A contour: its points, and whether it bounds a hole. */
  export type CvContour = CvPoint[] & { hole: boolean };
  export interface CvImage {
    width: number;
    height: number;
    data: Uint8ClampedArray | Uint8Array | number[];
  }
  const cv: {
    CV: {
      Image: new (width: number, height: number, data: Uint8ClampedArray | number[]) => CvImage;
      /** dst = 255 where src is darker than its (2 k + 1)-box mean by at least `threshold`, else 0; k <= 15. */
      adaptiveThreshold(src: CvImage, dst: CvImage, kernelSize: number, threshold: number): CvImage;
      /** Suzuki-Abe border following on a binary image; `binary` is scratch space. */
      findContours(src: CvImage, binary: number[] | Int32Array): CvContour[];
      /** Douglas-Peucker polygon of a closed contour. */
      approxPolyDP(contour: CvPoint[], epsilon: number): CvPoint[];
      isContourConvex(poly: CvPoint[]): boolean;
      minEdgeLength(poly: CvPoint[]): number;
    };
  };
  export default cv;
}
