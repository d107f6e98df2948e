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
 * Applies one random draw of `config` to each image of a batch: zoom about the centre, shift and
 * mirror with reflect padding, then a contrast/brightness change. Built from slice, mirror-pad and
 * bilinear resize only, because tf.image.transform and cropAndResize give different results on the
 * WASM backend than on the CPU backend (see test/core/augment.test.ts). Does not dispose `images`.
 * @param images [n, s, s, 3] float32 RGB 0..255
 * @returns [n, s, s, 3] float32 RGB 0..255
 */
export function augmentBatch(images: tf.Tensor4D, config: AugmentConfig, rng: Rng): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const u = (a: number) => (rng() * 2 - 1) * a;
  const draws = Array.from({ length: n }, () => ({
    flip: config.flipX && rng() < 0.5,
    zoom: 1 + u(config.scale),
    tx: Math.round(u(config.translate)),
    ty: Math.round(u(config.translate)),
    gain: 1 + u(config.contrast),
    offset: u(config.brightness),
  }));
  const pad = Math.min(Math.ceil(config.translate + (Math.max(h, w) * config.scale) / 2) + 2, Math.min(h, w) - 1);
  return tf.tidy(() => {
    const padded = pad > 0 ? tf.mirrorPad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], 'reflect') : images; // [n, h+2p, w+2p, 3]
    const out = draws.map((d, i) => {
      const ch = Math.min(Math.round(h / d.zoom), h + 2 * pad);
      const cw = Math.min(Math.round(w / d.zoom), w + 2 * pad);
      const y0 = Math.max(0, Math.min(h + 2 * pad - ch, Math.round(pad + (h - ch) / 2 - d.ty)));
      const x0 = Math.max(0, Math.min(w + 2 * pad - cw, Math.round(pad + (w - cw) / 2 - d.tx)));
      let img = tf.slice(padded, [i, y0, x0, 0], [1, ch, cw, 3]) as tf.Tensor4D; // [1, ch, cw, 3]
      if (ch !== h || cw !== w) img = tf.image.resizeBilinear(img, [h, w], false, true);
      if (d.flip) img = tf.reverse(img, 2);
      const mean = tf.mean(img);
      return tf.clipByValue(tf.add(tf.add(tf.mul(tf.sub(img, mean), d.gain), mean), d.offset), 0, 255);
    });
    return tf.concat(out) as tf.Tensor4D;
  });
}
