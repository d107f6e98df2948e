import * as tf from '@tensorflow/tfjs';
import { squeezenetCells, type CellGeometry } from './squeezenet-geometry';

export { squeezenetCells, type CellGeometry } from './squeezenet-geometry';

/**
 * Dilates binary masks by `radius` px (a square structuring element of side 2r+1, by max-pooling).
 * @param mask [n, h, w] bool or 0/1
 * @returns [n, h, w] float32 0/1
 */
export function dilateMask(mask: tf.Tensor3D, radius: number): tf.Tensor3D {
  return tf.tidy(() => {
    const m = tf.expandDims(tf.cast(mask, 'float32'), -1) as tf.Tensor4D; // [n, h, w, 1]
    if (radius <= 0) return tf.squeeze(m, [3]) as tf.Tensor3D;
    return tf.squeeze(tf.maxPool(m, 2 * radius + 1, 1, 'same'), [3]) as tf.Tensor3D;
  });
}

export const SQUEEZENET_CELLS: CellGeometry = squeezenetCells(13);

/**
 * [size, cells] linear interpolation matrix from cell values to pixels with {@link CellGeometry}:
 * pixels between two cell centres mix those two cells; pixels outside the outer centres take the
 * edge cell's value.
 */
function cellInterpolation(cells: number, size: number, g: CellGeometry): tf.Tensor2D {
  const a = new Float32Array(size * cells);
  for (let x = 0; x < size; x++) {
    const u = Math.min(cells - 1, Math.max(0, (x - g.first) / g.stride));
    const i = Math.min(Math.floor(u), cells - 1);
    const t = u - i;
    a[x * cells + i] += 1 - t;
    if (t > 0) a[x * cells + i + 1] += t;
  }
  return tf.tensor2d(a, [size, cells]);
}

/**
 * Upsamples class activation maps to the `size` x `size` network input with the cells at their
 * receptive-field centres (separable linear interpolation as two matMuls).
 * @param cam [n, h, w]
 * @returns [n, size, size]
 */
export function camToPixels(cam: tf.Tensor3D, size: number, geometry: CellGeometry = SQUEEZENET_CELLS): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w] = cam.shape;
    const ay = cellInterpolation(h, size, geometry); // [size, h]
    const ax = cellInterpolation(w, size, geometry); // [size, w]
    const rows = tf.matMul(tf.tile(tf.expandDims(ay, 0), [n, 1, 1]) as tf.Tensor3D, cam); // [n, size, w]
    return tf.matMul(rows, tf.tile(tf.expandDims(ax, 0), [n, 1, 1]) as tf.Tensor3D, false, true) as tf.Tensor3D; // [n, size, size]
  });
}

/**
 * Scores a class activation map against a crack mask of the same crop.
 * @param cam [1, h, w] map in [0, 1]: upsampled to the mask's size with the cells at their
 *   receptive-field centres when `geometry` is given (the mask must then be the network input's
 *   size), else bilinearly over the whole crop
 * @param mask [1, H, W] crack pixels (bool or 0/1), before dilation
 * @returns [3]: pointing-game hit (0/1), energy inside the dilated mask / total, dilated mask area fraction
 */
export function camMaskScores(
  cam: tf.Tensor3D,
  mask: tf.Tensor3D,
  dilateRadius: number,
  geometry?: CellGeometry,
): tf.Tensor1D {
  return tf.tidy(() => {
    const [, H, W] = mask.shape;
    if (geometry && H !== W) throw new Error(`cell geometry needs a square mask of the input size, got ${H}x${W}`);
    const up = tf.squeeze(
      geometry
        ? camToPixels(cam, H, geometry)
        : tf.image.resizeBilinear(tf.expandDims(cam, -1) as tf.Tensor4D, [H, W], false, true),
    ); // [H, W]
    const dil = tf.squeeze(dilateMask(mask, dilateRadius)); // [H, W]
    const flatUp = tf.reshape(up, [-1]);
    const hit = tf.gather(tf.reshape(dil, [-1]), tf.argMax(flatUp)); // scalar 0/1
    const total = tf.sum(flatUp);
    const inside = tf.sum(tf.mul(up, dil));
    const energy = tf.where(tf.greater(total, 0), tf.div(inside, tf.maximum(total, 1e-12)), tf.scalar(0));
    return tf.stack([tf.reshape(hit, []), energy, tf.mean(dil)]) as tf.Tensor1D;
  });
}
