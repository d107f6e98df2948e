import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/cli/node-io';
import {
  BACKENDS,
  BackendOverrideError,
  BackendUnavailableError,
  isSoftwareRenderer,
  parseBackendOverride,
  selectBackendFrom,
  type BackendCandidate,
  type BackendName,
} from '../../src/platform/backend';

describe('parseBackendOverride', () => {
  it('accepts the four backends, case-insensitively, and ignores an absent or empty parameter', () => {
    for (const b of BACKENDS) expect(parseBackendOverride(`?backend=${b}`)).toBe(b);
    expect(parseBackendOverride('?backend=WebGL')).toBe('webgl');
    expect(parseBackendOverride('')).toBeUndefined();
    expect(parseBackendOverride('?backend=')).toBeUndefined();
    expect(parseBackendOverride('?lang=ja')).toBeUndefined();
  });

  it('rejects anything else, naming the valid values', () => {
    expect(() => parseBackendOverride('?backend=cuda')).toThrow(BackendOverrideError);
    expect(() => parseBackendOverride('?backend=cuda')).toThrow(
      "unknown backend 'cuda' in ?backend=; valid: webgpu, webgl, wasm, cpu",
    );
  });
});

describe('isSoftwareRenderer', () => {
  it('recognises CPU emulations of a GPU', () => {
    for (const s of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'Google SwiftShader',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'ANGLE (Mesa, llvmpipe (LLVM 15.0.6 256 bits), OpenGL 4.5)',
      'Microsoft Basic Render Driver',
      'google swiftshader (fallback adapter)',
    ]) {
      expect(isSoftwareRenderer(s), s).toBe(true);
    }
  });

  it('accepts real GPUs', () => {
    for (const s of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      'Apple M1',
      'Adreno (TM) 640',
      'Mali-G78',
      'apple metal-3',
    ]) {
      expect(isSoftwareRenderer(s), s).toBe(false);
    }
  });
});

/**
 * GPU candidates cannot run in Node: these stand-ins report a given device and record activation.
 * WASM and CPU are the real TF.js backends.
 */
function gpu(name: 'webgpu' | 'webgl', device: string | Error, log: string[], activateError?: Error): BackendCandidate {
  return {
    name,
    async probe() {
      if (device instanceof Error) throw device;
      return { device, software: isSoftwareRenderer(device) };
    },
    async activate() {
      log.push(name);
      if (activateError) throw activateError;
    },
  };
}

function real(name: 'wasm' | 'cpu', log: string[], fail = false): BackendCandidate {
  return {
    name,
    probe: async () => ({ device: name, software: false }),
    async activate() {
      log.push(name);
      if (fail) throw new Error(`${name} refused`);
      await initNodeBackend(name);
    },
  };
}

describe('selectBackendFrom', () => {
  it('prefers a hardware GPU', async () => {
    const log: string[] = [];
    const choice = await selectBackendFrom([
      gpu('webgpu', new Error('no adapter'), log),
      gpu('webgl', 'Adreno (TM) 640', log),
      real('wasm', log),
      real('cpu', log),
    ]);
    expect(choice.name).toBe('webgl');
    expect(choice.forced).toBe(false);
    expect(choice.skipped).toEqual([{ name: 'webgpu', reason: 'no adapter' }]);
    expect(log).toEqual(['webgl']);
  });

  it('passes over software-emulated GPUs when WASM works', async () => {
    const log: string[] = [];
    const choice = await selectBackendFrom([
      gpu('webgpu', 'google swiftshader (fallback adapter)', log),
      gpu('webgl', 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)', log),
      real('wasm', log),
      real('cpu', log),
    ]);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.skipped.map((s) => s.name)).toEqual(['webgpu', 'webgl']);
    expect(choice.skipped[1].reason).toMatch(/software-emulated GPU .*SwiftShader/);
    expect(log).toEqual(['wasm']);
  });

  it('uses a software GPU rather than the pure-JS CPU backend when WASM fails', async () => {
    const log: string[] = [];
    const choice = await selectBackendFrom([
      gpu('webgl', 'llvmpipe (LLVM 15.0.6, 256 bits)', log),
      real('wasm', log, true),
      real('cpu', log),
    ]);
    expect(choice.name).toBe('webgl');
    expect(choice.software).toBe(true);
    expect(log).toEqual(['wasm', 'webgl']);
  });

  it('falls through to the CPU backend when nothing else starts', async () => {
    const log: string[] = [];
    const choice = await selectBackendFrom([
      gpu('webgl', 'Mali-G78', log, new Error('context lost')),
      real('wasm', log, true),
      real('cpu', log),
    ]);
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.skipped).toEqual([
      { name: 'webgl', reason: 'context lost' },
      { name: 'wasm', reason: 'wasm refused' },
    ]);
    await initNodeBackend('wasm');
  });

  it('honours an override, even a software GPU, and never substitutes another backend', async () => {
    const log: string[] = [];
    const candidates = [gpu('webgl', 'Google SwiftShader', log), real('wasm', log), real('cpu', log)];
    const forced = await selectBackendFrom(candidates, 'webgl');
    expect(forced).toMatchObject({ name: 'webgl', forced: true, software: true });
    const failing = [gpu('webgpu', new Error('WebGPU is not available in this browser'), log), real('wasm', log)];
    const err = await selectBackendFrom(failing, 'webgpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toBe("backend 'webgpu' could not start: WebGPU is not available in this browser");
    expect(log).toEqual(['webgl']);
    await expect(selectBackendFrom(failing, 'cpu' as BackendName)).rejects.toThrow(
      /'cpu' could not start: not supported/,
    );
  });

  it('reports every reason when no backend starts', async () => {
    const log: string[] = [];
    await expect(
      selectBackendFrom([gpu('webgl', new Error('no WebGL'), log), real('wasm', log, true)]),
    ).rejects.toThrow('no TensorFlow.js backend could start: webgl: no WebGL; wasm: wasm refused');
  });
});
