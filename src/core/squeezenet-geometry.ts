/**
 * Where SqueezeNet v1.1's map cells sit on its input. No TF.js: the live view's heatmap painter
 * places cells with it before TF.js loads. Re-exported by base.ts (the input size) and cam-metrics.ts.
 */

/** SqueezeNet's native input size (the shipped topology says 224; it is fully convolutional). */
export const SQUEEZENET_INPUT_SIZE = 227;

/**
 * Where the cells of a feature map sit on the network input: cell k's receptive field is centred
 * on input pixel `first + k * stride` (pixel indices).
 */
export interface CellGeometry {
  first: number;
  stride: number;
}

/**
 * Where the cells of a SqueezeNet v1.1 map of side `grid` sit on its `inputSize` input. conv1 and
 * the three max pools are all 3x3, stride 2, no padding, so each one maps cell k to 2k + 1 of the
 * layer before: at 227 the grids are 113 (conv1), 56 (fire2-3), 27 (fire4-5) and 13 (fire6-9),
 * centred on pixels 2k + 1, 4k + 3, 8k + 7 and 16k + 15. A plain resize of a 13x13 map puts cell k
 * at (k + 0.5) * 227/13 - 0.5 (8 ... 218): up to 11 px off at the edges, more than a thin crack is wide.
 * @throws when no layer of the network has that grid size
 */
export function squeezenetCells(grid: number, inputSize = 227): CellGeometry {
  let [size, first, stride] = [inputSize, 0, 1];
  const sizes: number[] = [];
  while (size >= 3) {
    [size, first, stride] = [Math.floor((size - 3) / 2) + 1, first + stride, stride * 2];
    sizes.push(size);
    if (size === grid) return { first, stride };
  }
  throw new Error(`no SqueezeNet map is ${grid} cells wide at ${inputSize} px input; valid: ${sizes.join(', ')}`);
}

/** SqueezeNet v1.1's 13x13 maps (fire6-fire9) at 227x227: cell k is centred on pixel 16k + 15. */
