/**
 * Global set-up of the browser tests: a scratch folder for the production build that several test
 * files share (see shared-build.ts), removed when the run ends. Nothing is built here: a run of test
 * files that need no build pays nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder the shared build goes into, and the build id it is made with. */
    e2eSharedBuild: { dir: string; buildId: string };
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crackcam-e2e-build-'));
  project.provide('e2eSharedBuild', { dir, buildId: `e2e-${Date.now()}` });
  return () => rmSync(dir, { recursive: true, force: true });
}
