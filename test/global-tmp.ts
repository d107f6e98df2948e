/**
 * Global set-up of every test project: the run's temporary files (model folders, photo folders,
 * Chromium's profiles) go into one folder of the system's temporary directory, removed when the run
 * ends, so that runs do not pile up in /tmp. TMPDIR is set before the test processes start, and
 * os.tmpdir() reads it. The first project of a run makes the folder; the others use it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RUN_DIR = 'CRACKCAM_TEST_RUN_TMP';

export default function setup(): (() => void) | undefined {
  if (process.env[RUN_DIR]) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crackcam-test-run-'));
  process.env[RUN_DIR] = dir;
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    delete process.env[RUN_DIR];
    rmSync(dir, { recursive: true, force: true });
  };
}
