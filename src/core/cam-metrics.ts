import * as tf from '@tensorflow/tfjs';

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

/**
 * Scores a class activation map against a crack mask of the same crop.
 * @param cam [1, h, w] map in [0, 1] (any resolution; upsampled bilinearly to the mask's size)
 * @param mask [1, H, W] crack pixels (bool or 0/1), before dilation
 * @returns [3]: pointing-game hit (0/1), energy inside the dilated mask / total, dilated mask area fraction
 */
export function camMaskScores(cam: tf.Tensor3D, mask: tf.Tensor3D, dilateRadius: number): tf.Tensor1D {
  return tf.tidy(() => {
    const [, H, W] = mask.shape;
    const up = tf.squeeze(tf.image.resizeBilinear(tf.expandDims(cam, -1) as tf.Tensor4D, [H, W], false, true)); // [H, W]
    const dil = tf.squeeze(dilateMask(mask, dilateRadius)); // [H, W]
    const flatUp = tf.reshape(up, [-1]);
    const hit = tf.gather(tf.reshape(dil, [-1]), tf.argMax(flatUp)); // scalar 0/1
    const total = tf.sum(flatUp);
    const inside = tf.sum(tf.mul(up, dil));
    const energy = tf.where(tf.greater(total, 0), tf.div(inside, tf.maximum(total, 1e-12)), tf.scalar(0));
    return tf.stack([tf.reshape(hit, []), energy, tf.mean(dil)]) as tf.Tensor1D;
  });
}
