/**
 * The TF.js backends by name, the `?backend=` override and what a backend choice reports: no TF.js
 * here, so that the page can read the override and show the choice without loading TF.js (the
 * inference worker picks and runs the backend; backend.ts).
 */

import { queryChoice } from './query-choice';

/** Backends in order of preference. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** URL query parameter that forces a backend. */
export const BACKEND_PARAM = 'backend';

/** An invalid `?backend=` value. */
export class BackendOverrideError extends Error {
  constructor(readonly value: string) {
    super(`unknown backend '${value}' in ?${BACKEND_PARAM}=; valid: ${BACKENDS.join(', ')}`);
    this.name = 'BackendOverrideError';
  }
}

/** A backend that could not be used (forced and failed, or none at all). */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName | 'any',
    readonly reasons: readonly BackendSkip[],
  ) {
    super(
      backend === 'any'
        ? `no TensorFlow.js backend could start: ${reasons.map((r) => `${r.name}: ${r.reason}`).join('; ')}`
        : `backend '${backend}' could not start: ${reasons.map((r) => r.reason).join('; ')}`,
    );
    this.name = 'BackendUnavailableError';
  }
}

/**
 * Reads `?backend=` from a query string.
 * @returns the forced backend, or undefined when the parameter is absent or empty
 * @throws BackendOverrideError naming the valid values
 */
export function parseBackendOverride(search: string): BackendName | undefined {
  return queryChoice(search, BACKEND_PARAM, BACKENDS, (value) => new BackendOverrideError(value));
}

/** A backend passed over, and why. */
export interface BackendSkip {
  name: BackendName;
  reason: string;
}

/** The backend that runs, and how it was chosen. */
export interface BackendChoice {
  name: BackendName;
  /** Forced with `?backend=`. */
  forced: boolean;
  device: string;
  software: boolean;
  /** Backends tried before this one, with the reason each was not used. */
  skipped: BackendSkip[];
}
