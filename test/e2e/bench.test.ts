/**
 * `npm run bench -- --json` on a tiny run (WASM only, 5 frames): the final line is the documented
 * JSON, with figures that are measured (positive timings, tensor counts from the page).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './harness';

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/bench.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('prints one JSON line with the documented shape', async () => {
  const { code, stdout, stderr } = await runBench([
    '--backend',
    'wasm',
    '--frames',
    '5',
    '--warmup',
    '1',
    '--block',
    '5',
    '--train-images',
    '4',
    '--live-seconds',
    '2',
    '--rounds',
    '1',
    '--json',
  ]);
  expect(code, stderr).toBe(0);
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const out = JSON.parse(lines[0]);
  const wasm = out.backends.wasm;
  for (const k of ['rawForwardMs', 'pipelineMs', 'pipelineP95Ms', 'referenceMs']) {
    expect(wasm[k], k).toBeGreaterThan(0);
  }
  expect(wasm.pipelineP95Ms).toBeGreaterThanOrEqual(wasm.pipelineMs);
  expect(Number.isInteger(wasm.tensorGrowth)).toBe(true);
  expect(Number.isInteger(wasm.bytesGrowth)).toBe(true);
  expect(wasm.frames).toBe(5);
  expect(wasm.tensors[0]).toBeGreaterThan(0);
  expect(wasm.featureImagesPerSec).toBeGreaterThan(0);
  expect(wasm.headTrainSamplesPerSec).toBeGreaterThan(0);
  expect(Object.keys(wasm.stageMs).sort()).toEqual([
    'draw',
    'drawCanvas',
    'infer',
    'inferTensorPath',
    'paint',
    'readback',
  ]);
  expect(wasm.staging.videoFrames).toBe(true);
  expect(wasm.pipelineCanvasMs).toBeGreaterThan(0);
  expect(wasm.staging.sameLabel).toBeGreaterThan(0);
  for (const place of ['worker', 'main']) {
    const live = out.liveView[place];
    expect(live.inference).toBe(place);
    expect(live.mainThreadBusyShare, place).toBeGreaterThan(0);
    expect(live.mainThreadBusyShare, place).toBeLessThanOrEqual(1);
    expect(live.longestMainTaskMs, place).toBeGreaterThan(0);
    expect(live.frameToPaintMs.p95, place).toBeGreaterThanOrEqual(live.frameToPaintMs.median);
    expect(live.frames, place).toBeGreaterThan(0);
  }
  expect(out.liveView.busyShareWorkerOverMain).toBeGreaterThan(0);
  expect(out.firstVerdictMs.cold).toBeGreaterThan(0);
  expect(out.firstVerdictMs.warm).toBeGreaterThan(0);
  expect(out.bundleGzipBytes).toBeGreaterThan(out.bundleInitialGzipBytes);
  expect(out.bundleInitialGzipBytes).toBeGreaterThan(10_000);
  // the base weights are ~2.8 MB; the head is small
  expect(out.modelBytes).toBeGreaterThan(2_000_000);
  expect(out.headModelBytes).toBeGreaterThan(0);
});
