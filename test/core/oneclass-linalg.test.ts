import { describe, expect, it } from 'vitest';
import { auroc, cholesky, invertLower, quantile, whiteningMatrix } from '../../src/core/oneclass-linalg';
import { createRng } from '../../src/core/random';

/** A random symmetric positive-definite n x n matrix B B^T + n I. */
function randomSpd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const b = Float64Array.from({ length: n * n }, () => rng() * 2 - 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s + (i === j ? n : 0);
    }
  }
  return a;
}

const matMul = (a: Float64Array, b: Float64Array, n: number) => {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
};
const transpose = (a: Float64Array, n: number) =>
  Float64Array.from({ length: n * n }, (_, idx) => a[(idx % n) * n + Math.floor(idx / n)]);

describe('one-class linear algebra', () => {
  it('cholesky reconstructs the matrix and is lower-triangular', () => {
    const n = 7;
    const a = randomSpd(n, 1);
    const l = cholesky(a, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
    const back = matMul(l, transpose(l, n), n);
    back.forEach((v, i) => expect(v).toBeCloseTo(a[i], 9));
  });

  it('cholesky rejects a matrix that is not positive definite, naming the column', () => {
    const a = Float64Array.from([1, 2, 2, 1]); // eigenvalues 3 and -1
    expect(() => cholesky(a, 2)).toThrow(/not positive definite.*column 1/);
    expect(() => cholesky(new Float64Array(5), 2)).toThrow(/2x2/);
  });

  it('invertLower gives the inverse', () => {
    const n = 6;
    const l = cholesky(randomSpd(n, 2), n);
    const eye = matMul(l, invertLower(l, n), n);
    eye.forEach((v, i) => expect(v).toBeCloseTo(i % (n + 1) === 0 ? 1 : 0, 9));
  });

  it('whitening: |x W|^2 equals the Mahalanobis form x C^-1 x^T, i.e. W W^T = C^-1', () => {
    const n = 5;
    const c = randomSpd(n, 3);
    const w = whiteningMatrix(c, n);
    const eye = matMul(c, matMul(w, transpose(w, n), n), n);
    eye.forEach((v, i) => expect(v).toBeCloseTo(i % (n + 1) === 0 ? 1 : 0, 9));
  });

  it('quantile interpolates like numpy (type 7)', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 0.95)).toBeCloseTo(
      19.05,
      12,
    );
    expect(quantile([5], 0.3)).toBe(5);
    expect(() => quantile([], 0.5)).toThrow(/empty/);
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/);
  });

  it('auroc: perfect, reversed, ties and a hand-counted case', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(auroc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
    // positives 0.4, 0.7; negatives 0.1, 0.5, 0.7: pairs won 1 + (2 + 0.5) = 3.5 of 6.
    expect(auroc([0.1, 0.4, 0.5, 0.7, 0.7], [false, true, false, true, false])).toBeCloseTo(3.5 / 6, 12);
    expect(() => auroc([1, 2], [true, true])).toThrow(/both classes/);
  });
});
