import { describe, expect, it } from 'vitest';
import { HOOK_LATENCY_FRAMES, recordHookLatency, type CrackcamHook } from '../../src/platform/test-hook';

describe('recordHookLatency', () => {
  it('appends each frame, oldest first, and keeps only the last frames', () => {
    const hook = { frames: 0 } as CrackcamHook;
    recordHookLatency(hook, 30);
    recordHookLatency(hook, 31);
    expect(hook.latencies).toEqual([30, 31]);
    for (let i = 0; i < HOOK_LATENCY_FRAMES; i++) recordHookLatency(hook, i);
    expect(hook.latencies).toHaveLength(HOOK_LATENCY_FRAMES);
    expect(hook.latencies?.[0]).toBe(0);
    expect(hook.latencies?.at(-1)).toBe(HOOK_LATENCY_FRAMES - 1);
  });
});
