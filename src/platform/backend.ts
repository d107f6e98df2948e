/**
 * TF.js backend selection for the browser: WebGPU, else WebGL, else WASM, else the pure-JS CPU
 * backend. A software-emulated GPU (SwiftShader, llvmpipe, a WebGPU fallback adapter) is slower
 * than WASM's SIMD kernels, so it is only used when WASM does not work. `?backend=NAME` forces one.
 *
 * Each backend's package is imported when that backend is activated, never before: in the app's
 * builds `@tensorflow/tfjs` carries no backend (scripts/vite-tfjs.ts), so every backend is a lazy
 * chunk and only the one in use is loaded.
 */
import * as tf from '@tensorflow/tfjs';
// The WASM binaries are bundled as assets of the app's own origin (hashed names, relative URLs), so
// the backend never fetches them from a CDN and the service worker can precache them.
import { tfMemory } from './inference-memory';
import { setHookPageMemory } from './test-hook';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  BackendUnavailableError,
  parseBackendOverride,
  type BackendChoice,
  type BackendName,
  type BackendSkip,
} from './backend-names';

export * from './backend-names';

const SOFTWARE_GPU =
  /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render driver|microsoft basic|mesa offscreen/i;

/** True if a WebGL renderer string or WebGPU adapter description names a CPU emulation of a GPU. */
export function isSoftwareRenderer(description: string): boolean {
  return SOFTWARE_GPU.test(description);
}

/** What a probe learned about a backend's device before activating it. */
export interface ProbeResult {
  /** Human-readable device, e.g. the unmasked WebGL renderer or the WebGPU adapter description. */
  device: string;
  /** The "GPU" is emulated on the CPU. */
  software: boolean;
}

/** One backend the selector may try. */
export interface BackendCandidate {
  name: BackendName;
  /** Checks availability without activating; throws (with a reason) when unavailable. */
  probe(): Promise<ProbeResult>;
  /** Registers and activates the backend in TF.js; throws when it fails. */
  activate(): Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Picks and activates a backend from `candidates` (in preference order). Without `override`:
 * the first one that works, except that software-emulated GPUs are passed over while a later
 * non-GPU backend (WASM, CPU) works; they are used only as a last resort before the CPU backend.
 * With `override`: that backend or an error, never another one.
 */
export async function selectBackendFrom(
  candidates: readonly BackendCandidate[],
  override?: BackendName,
): Promise<BackendChoice> {
  const skipped: BackendSkip[] = [];
  if (override) {
    const c = candidates.find((x) => x.name === override);
    if (!c) throw new BackendUnavailableError(override, [{ name: override, reason: 'not supported in this build' }]);
    try {
      const info = await c.probe();
      await c.activate();
      return { name: c.name, forced: true, ...info, skipped };
    } catch (e) {
      throw new BackendUnavailableError(override, [{ name: override, reason: message(e) }]);
    }
  }
  const softwareGpus: { candidate: BackendCandidate; info: ProbeResult }[] = [];
  const tryActivate = async (candidate: BackendCandidate, info: ProbeResult): Promise<BackendChoice | undefined> => {
    try {
      await candidate.activate();
      return { name: candidate.name, forced: false, ...info, skipped: [...skipped] };
    } catch (e) {
      skipped.push({ name: candidate.name, reason: message(e) });
      return undefined;
    }
  };
  for (const candidate of candidates) {
    let info: ProbeResult;
    try {
      info = await candidate.probe();
    } catch (e) {
      skipped.push({ name: candidate.name, reason: message(e) });
      continue;
    }
    const gpu = candidate.name === 'webgpu' || candidate.name === 'webgl';
    if (gpu && info.software) {
      softwareGpus.push({ candidate, info });
      skipped.push({ name: candidate.name, reason: `software-emulated GPU (${info.device}); slower than WASM` });
      continue;
    }
    // Before the pure-JS CPU backend, an emulated GPU is still the faster choice.
    if (candidate.name === 'cpu') {
      for (const s of softwareGpus) {
        const chosen = await tryActivate(s.candidate, s.info);
        if (chosen) return chosen;
      }
    }
    const chosen = await tryActivate(candidate, info);
    if (chosen) return chosen;
  }
  for (const s of softwareGpus) {
    const chosen = await tryActivate(s.candidate, s.info);
    if (chosen) return chosen;
  }
  throw new BackendUnavailableError('any', skipped);
}

/** Activates `name` in TF.js or throws. */
async function setTfBackend(name: BackendName): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`initialisation failed (${message(e)})`, { cause: e });
  }
  if (!ok) throw new Error('initialisation failed');
  await tf.ready();
}

/** Minimal WebGPU surface used here (TypeScript's DOM library does not declare it). */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: GpuAdapterInfoLike;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

const webgpuCandidate: BackendCandidate = {
  name: 'webgpu',
  async probe() {
    const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
    if (!gpu) throw new Error('WebGPU is not available in this browser');
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter');
    const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
    const device =
      [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'unknown adapter';
    const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
    return {
      device: fallback ? `${device} (fallback adapter)` : device,
      software: fallback || isSoftwareRenderer(device),
    };
  },
  async activate() {
    await import('@tensorflow/tfjs-backend-webgpu');
    await setTfBackend('webgpu');
  },
};

const webglCandidate: BackendCandidate = {
  name: 'webgl',
  async probe() {
    // A DOM canvas on a page, an OffscreenCanvas in a worker (where the inference worker probes).
    const canvas = typeof document === 'object' ? document.createElement('canvas') : new OffscreenCanvas(1, 1);
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) throw new Error('WebGL is not available in this browser');
    try {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'unknown renderer');
      return { device: renderer, software: isSoftwareRenderer(renderer) };
    } finally {
      gl.getExtension('WEBGL_lose_context')?.loseContext(); // free the probe's context right away
    }
  },
  async activate() {
    await import('@tensorflow/tfjs-backend-webgl');
    await setTfBackend('webgl');
  },
};

const wasmCandidate: BackendCandidate = {
  name: 'wasm',
  async probe() {
    if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available in this browser');
    return { device: 'CPU (WebAssembly)', software: false };
  },
  async activate() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    await setTfBackend('wasm');
  },
};

const cpuCandidate: BackendCandidate = {
  name: 'cpu',
  probe: async () => ({ device: 'CPU (JavaScript)', software: false }),
  async activate() {
    await import('@tensorflow/tfjs-backend-cpu');
    await setTfBackend('cpu');
  },
};

/** The browser's candidates in preference order. */
export const BROWSER_BACKENDS: readonly BackendCandidate[] = [
  webgpuCandidate,
  webglCandidate,
  wasmCandidate,
  cpuCandidate,
];

/**
 * Selects and activates the backend for this page: `?backend=` if given (validated), else the
 * preference order of {@link selectBackendFrom}.
 * @throws BackendOverrideError for an invalid `?backend=`, BackendUnavailableError when nothing runs
 */
export async function selectBrowserBackend(search: string = location.search): Promise<BackendChoice> {
  const choice = await selectBackendFrom(BROWSER_BACKENDS, parseBackendOverride(search));
  setHookPageMemory(tfMemory); // test builds: the page's TF.js runs from here on
  return choice;
}

/**
 * Selects and activates the backend for a worker that picks its own (the inference worker): `forced`
 * (the page's `?backend=`) or the preference order of {@link selectBackendFrom}.
 * @throws BackendUnavailableError when nothing runs, or the forced backend does not
 */
export function selectWorkerBackend(forced?: BackendName): Promise<BackendChoice> {
  return selectBackendFrom(BROWSER_BACKENDS, forced);
}

/**
 * Activates `preferred` without probing it, else WASM, else CPU; returns the backend that runs.
 * For a worker that follows the page's choice (the training worker): the page has probed the GPU
 * already.
 */
export async function activateBackend(preferred: BackendName): Promise<BackendName> {
  const order = [preferred, ...(['wasm', 'cpu'] as const).filter((n) => n !== preferred)];
  const skipped: BackendSkip[] = [];
  for (const name of order) {
    const candidate = BROWSER_BACKENDS.find((c) => c.name === name);
    if (!candidate) continue;
    try {
      await candidate.activate();
      return name;
    } catch (e) {
      skipped.push({ name, reason: message(e) });
    }
  }
  throw new BackendUnavailableError(preferred, skipped);
}
