/**
 * Tensor and heap figures of this thread's TF.js, for the test hook's leak checks (the page's, or
 * the inference worker's through a message).
 */
import * as tf from '@tensorflow/tfjs';
import type { HookMemory } from './test-hook';

/** tf.memory() of this thread, with the WASM backend's heap size when that backend runs. */
export function tfMemory(): HookMemory {
  const m = tf.memory();
  const wasm = (
    tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm : undefined
  )?.HEAPU8;
  return {
    numTensors: m.numTensors,
    numDataBuffers: m.numDataBuffers,
    numBytes: m.numBytes,
    wasmHeapBytes: wasm?.buffer.byteLength,
  };
}
