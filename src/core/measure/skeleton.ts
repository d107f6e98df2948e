/**
 * Skeletons of binary masks: Zhang-Suen thinning to one-pixel-wide centre lines, and pruning of the
 * short side branches ("spurs") that thinning leaves on rough edges.
 */

const DX = [0, 1, 1, 1, 0, -1, -1, -1];
const DY = [-1, -1, 0, 1, 1, 1, 0, -1];

/** The 8 neighbours of i clockwise from north (P2..P9 in Zhang and Suen 1984); 0 outside. */
function neighbours(m: Uint8Array, w: number, h: number, i: number, out: number[]): void {
  const x = i % w;
  const y = (i - x) / w;
  for (let k = 0; k < 8; k++) {
    const nx = x + DX[k];
    const ny = y + DY[k];
    out[k] = nx >= 0 && ny >= 0 && nx < w && ny < h ? m[ny * w + nx] : 0;
  }
}

/** One Zhang-Suen sub-iteration; returns how many pixels it removed. */
function thinPass(m: Uint8Array, w: number, h: number, first: boolean): number {
  const remove: number[] = [];
  const p = new Array<number>(8);
  for (let i = 0; i < w * h; i++) {
    if (!m[i]) continue;
    neighbours(m, w, h, i, p);
    const b = p.reduce((s, v) => s + v, 0);
    if (b < 2 || b > 6) continue;
    let a = 0;
    for (let k = 0; k < 8; k++) if (!p[k] && p[(k + 1) % 8]) a++;
    if (a !== 1) continue;
    const [p2, , p4, , p6, , p8] = p;
    if (first ? p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0 : p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0) remove.push(i);
  }
  for (const i of remove) m[i] = 0;
  return remove.length;
}

/** Zhang-Suen thinning of `mask` (non-zero = set) to a one-pixel-wide skeleton; returns a new mask. */
export function zhangSuenThin(mask: Uint8Array, w: number, h: number): Uint8Array {
  const m = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) m[i] = mask[i] ? 1 : 0;
  while (thinPass(m, w, h, true) + thinPass(m, w, h, false) > 0);
  return m;
}

/** Indices of the set 8-neighbours of i. */
export function skeletonNeighbours(m: Uint8Array, w: number, h: number, i: number): number[] {
  const x = i % w;
  const y = (i - x) / w;
  const out: number[] = [];
  for (let k = 0; k < 8; k++) {
    const nx = x + DX[k];
    const ny = y + DY[k];
    if (nx >= 0 && ny >= 0 && nx < w && ny < h && m[ny * w + nx]) out.push(ny * w + nx);
  }
  return out;
}

/** True when pixels a and b are 8-neighbours. */
function touching(a: number, b: number, w: number): boolean {
  return Math.abs((a % w) - (b % w)) <= 1 && Math.abs(Math.floor(a / w) - Math.floor(b / w)) <= 1;
}

/** True when pixels a and b share a side. */
function isFourNeighbour(a: number, b: number, w: number): boolean {
  return Math.abs((a % w) - (b % w)) + Math.abs(Math.floor(a / w) - Math.floor(b / w)) === 1;
}

/**
 * Removes side branches: a branch from an end point to a junction shorter than `minLength(junction)`
 * pixels is deleted (the main line between two ends is kept whatever its length). Modifies `skel`.
 */
export function pruneSpurs(skel: Uint8Array, w: number, h: number, minLength: (junction: number) => number): void {
  const ends: number[] = [];
  for (let i = 0; i < skel.length; i++) if (skel[i] && skeletonNeighbours(skel, w, h, i).length === 1) ends.push(i);
  for (const end of ends) {
    const branch = [end];
    let prev = -1;
    let at = end;
    for (;;) {
      let next = skeletonNeighbours(skel, w, h, at).filter((j) => j !== prev && !branch.includes(j));
      if (next.length === 2 && touching(next[0], next[1], w)) {
        // a staircase corner, not a junction: step to the 4-neighbour, pass over the other
        const [four, other] = isFourNeighbour(at, next[0], w) ? next : [next[1], next[0]];
        branch.push(other);
        next = [four];
      }
      if (next.length !== 1) {
        // a junction (several ways on) ends a side branch; a dead end means the line stands alone
        if (next.length > 1 && branch.length < minLength(at)) for (const i of branch.slice(0, -1)) skel[i] = 0;
        break;
      }
      prev = at;
      at = next[0];
      branch.push(at);
      if (branch.length > 4 * w) break;
    }
  }
}
