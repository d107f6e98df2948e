import * as tf from '@tensorflow/tfjs';
import type { Rng } from './random';

/** Random image augmentation, in pixels of the network input. */
export interface AugmentConfig {
  /** Mirror left-right with probability 0.5 (the seed's RandXReflection). */
  flipX: boolean;
  /** Uniform shift in [-t, t] px on each axis (the seed: 30). */
  translate: number;
  /** Uniform zoom factor in [1 - s, 1 + s]. */
  scale: number;
  /** Uniform brightness offset in [-b, b] (0..255 scale). */
  brightness: number;
  /** Uniform contrast factor in [1 - c, 1 + c] around the image mean. */
  contrast: number;
}

/** The seed's augmentation (x-reflection, +-30 px) plus mild photometric and scale jitter for new surfaces. */
export const DEFAULT_AUGMENT: AugmentConfig = { flipX: true, translate: 30, scale: 0.1, brightness: 20, contrast: 0.2 };

/** The seed's augmentation only. */
export const SEED_AUGMENT: AugmentConfig = { flipX: true, translate: 30, scale: 0, brightness: 0, contrast: 0 };

/**
 * Applies one random draw of `config` to each image of a batch, as a single projective transform
 * (reflect padding) plus a photometric change. Does not dispose `images`.
 * @param images [n, s, s, 3] float32 RGB 0..255
 * @returns [n, s, s, 3] float32 RGB 0..255
 */
export function augmentBatch(images: tf.Tensor4D, config: AugmentConfig, rng: Rng): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const u = (a: number) => (rng() * 2 - 1) * a;
  const transforms: number[][] = [];
  const gains: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    const flip = config.flipX && rng() < 0.5;
    const zoom = 1 + u(config.scale);
    const tx = u(config.translate);
    const ty = u(config.translate);
    // Output pixel (x, y) samples input at (a0 x + a2, b1 y + b2): zoom about the centre, shift, mirror.
    const sx = (flip ? -1 : 1) / zoom;
    const sy = 1 / zoom;
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    transforms.push([sx, 0, cx - sx * cx - tx, 0, sy, cy - sy * cy - ty, 0, 0]);
    gains.push(1 + u(config.contrast));
    offsets.push(u(config.brightness));
  }
  return tf.tidy(() => {
    const moved = tf.image.transform(images, tf.tensor2d(transforms), 'bilinear', 'reflect'); // [n, s, s, 3]
    const mean = tf.mean(moved, [1, 2, 3], true);
    const gain = tf.tensor4d(gains, [n, 1, 1, 1]);
    const offset = tf.tensor4d(offsets, [n, 1, 1, 1]);
    return tf.clipByValue(tf.add(tf.add(tf.mul(tf.sub(moved, mean), gain), mean), offset), 0, 255) as tf.Tensor4D;
  });
}
