import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/cli/node-io';

const run = promisify(execFile);
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');

/** Runs a CLI from src/cli; resolves with stdout/stderr/exit code (never rejects on a non-zero exit). */
export async function cli(script: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(TSX, [path.join(PROJECT_ROOT, 'src/cli', script), ...args], {
      cwd: PROJECT_ROOT,
      maxBuffer: 1 << 24,
    });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

/** The last line of a CLI's stdout, parsed as the `--json` summary. */
export const lastJson = (stdout: string) =>
  JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
