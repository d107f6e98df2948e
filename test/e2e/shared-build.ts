/**
 * One production build (`vite build` with the test hook, the committed default model) for the test
 * files that only read it: the first file that asks builds it, later files reuse it. Files that
 * change a build (another model copied in, build A and B of an update) make their own.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { viteBuild } from './harness';

/** A finished build: its folder (do not write into it) and the build id compiled into it. */
export interface SharedBuild {
  dist: string;
  buildId: string;
}

/** The shared production build, built on first use. Browser test files run one at a time. */
export async function sharedBuild(): Promise<SharedBuild> {
  const { dir, buildId } = inject('e2eSharedBuild');
  const dist = path.join(dir, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    // build beside it and move it in whole, so a failed build leaves no half-written dist/
    const partial = path.join(dir, `partial-${process.pid}`);
    await viteBuild(partial, { CRACKCAM_BUILD_ID: buildId }); // rejects when it wrote no index.html
    rmSync(dist, { recursive: true, force: true });
    renameSync(partial, dist);
  }
  return { dist, buildId };
}
