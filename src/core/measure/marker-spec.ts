/** The printed reference marker: which ArUco dictionary and id, and how big its black square is. */
import aruco from 'js-aruco2';

/** The marker on CrackCam's reference sheet. */
export interface MarkerSpec {
  /** js-aruco2 dictionary name. */
  dictionary: string;
  id: number;
  /** Side of the black square (outer edge of the black border), millimetres. */
  sizeMm: number;
}

/** ARUCO_MIP_36h12 (8x8 cells, Hamming distance 12 between codes) id 0, 40 mm black square. */
export const DEFAULT_MARKER: MarkerSpec = { dictionary: 'ARUCO_MIP_36h12', id: 0, sizeMm: 40 };

/**
 * The marker's cells, row by row, including its one-cell black border: true = white.
 * [cells * cells], cells = 8 for ARUCO_MIP_36h12.
 */
export function markerCells(spec: MarkerSpec): { cells: number; white: boolean[] } {
  const dictionary = new aruco.AR.Dictionary(spec.dictionary);
  const code = dictionary.codeList[spec.id];
  if (code === undefined) {
    throw new Error(
      `marker id ${spec.id} is not in ${spec.dictionary} (valid: 0 to ${dictionary.codeList.length - 1})`,
    );
  }
  const cells = dictionary.markSize;
  const inner = cells - 2;
  const white: boolean[] = [];
  for (let y = 0; y < cells; y++) {
    for (let x = 0; x < cells; x++) {
      const border = x === 0 || y === 0 || x === cells - 1 || y === cells - 1;
      white.push(!border && code[(y - 1) * inner + (x - 1)] === '1');
    }
  }
  return { cells, white };
}
