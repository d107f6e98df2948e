/**
 * Small dense linear algebra in float64 for the one-class model: the covariance of normal features
 * is a few hundred square, so plain loops take well under a second and need no extra library.
 * Matrices are row-major Float64Arrays of n * n.
 */

/**
 * Cholesky factor of a symmetric positive-definite matrix: A = L L^T.
 * @returns lower-triangular L (row-major, zeros above the diagonal)
 * @throws if A is not positive definite (a non-positive pivot), naming the column
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`cholesky: matrix has ${a.length} entries, expected ${n}x${n}`);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    const rj = j * n;
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${d} at column ${j})`);
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s / ljj;
    }
  }
  return l;
}

/** Inverse of a lower-triangular matrix (forward substitution, column by column); lower-triangular. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[ri + k] * inv[k * n + j];
      inv[ri + j] = s / l[ri + i];
    }
  }
  return inv;
}

/**
 * Whitening matrix W of a covariance C, such that for a row vector x, |x W|^2 = x C^-1 x^T
 * (W = L^-T with C = L L^T).
 * @returns W, n x n row-major (upper-triangular)
 */
export function whiteningMatrix(cov: Float64Array, n: number): Float64Array {
  const inv = invertLower(cholesky(cov, n), n);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i * n + j] = inv[j * n + i];
  return w;
}

/** Quantile q in [0, 1] of values, linear interpolation between order statistics (R type 7, numpy default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Area under the ROC curve of `scores` for positives (`positive[i]` true) ranked above negatives; ties count half. */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  if (positive.length !== n) throw new Error(`auroc: ${n} scores but ${positive.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Mid-ranks, so tied scores count half.
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++) {
    if (positive[i]) {
      nPos++;
      rankSum += ranks[i];
    }
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`auroc needs both classes, got ${nPos} positive and ${nNeg} negative`);
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
