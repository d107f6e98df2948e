import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { CaptureStoreError } from '../platform/capture-store';
import type { ModelFiles } from '../core/model-writer';
import type { TrainingShortfall } from '../core/training-plan';
import type { ModelStore } from '../platform/model-store';
import { ScreenWakeLock } from './wake-lock';
import { classDisplayName } from './class-names';

/**
 * One trainer run at a time: its abort signal, and the screen kept awake while it runs. Shared by
 * the classifier trainer and the normal-only trainer.
 */
export class TrainingRun {
  private abort?: AbortController;
  private readonly wakeLock = new ScreenWakeLock();

  /** Cancels the run in progress, if any. */
  cancel(): void {
    this.abort?.abort();
  }

  /**
   * Runs `body` with a fresh abort signal while the screen is kept awake. When `body` throws, the
   * run ends (before the wake lock is released) as `cancelled` if its signal was aborted, else as
   * `error` with the error's message.
   */
  async run(
    body: (signal: AbortSignal) => Promise<void>,
    end: (phase: 'cancelled' | 'error', error?: string) => void,
  ): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    await this.wakeLock.acquire();
    try {
      await body(abort.signal);
    } catch (e) {
      if (abort.signal.aborted) end('cancelled');
      else end('error', (e as Error).message);
    } finally {
      this.abort = undefined;
      await this.wakeLock.release();
    }
  }
}

/**
 * Saves a trained model's files to the library as a new model whose parent is the active one; then
 * the save ends as `saved`, `stored` runs and `host` fires `model-saved` (detail `{ id }`, bubbles,
 * composed). When that fails, the save ends as `done` (the result stays) with the error's message.
 */
export async function saveTrainedModel(
  host: HTMLElement,
  models: ModelStore,
  files: () => Promise<ModelFiles>,
  activeId: string,
  end: (phase: 'saved' | 'done', error?: string) => void,
  stored: () => void,
): Promise<void> {
  try {
    const entry = await models.save(await files(), { origin: 'trained', parentId: activeId || undefined });
    end('saved');
    stored();
    host.dispatchEvent(new CustomEvent('model-saved', { detail: { id: entry.id }, bubbles: true, composed: true }));
  } catch (e) {
    end('done', e instanceof CaptureStoreError ? e.message : (e as Error).message);
  }
}

/** The status line of the phases both trainers share (cancelled, saved, done); '' for any other. */
export function endedStatus(phase: string): string {
  return phase === 'cancelled'
    ? msg('Cancelled; the active model is unchanged.')
    : phase === 'saved'
      ? msg('Saved and activated.')
      : phase === 'done'
        ? msg('Done: review and save.')
        : '';
}

/** Test ids of a trainer's controls. */
export interface TrainerTestIds {
  start: string;
  cancel: string;
  status: string;
  error: string;
}

/** Cancel while running, else Train (disabled unless `ready`). */
export function renderRunButton(
  running: boolean,
  ready: boolean,
  ids: TrainerTestIds,
  train: () => void,
  cancel: () => void,
): TemplateResult {
  return running
    ? html`<button class="danger" data-testid=${ids.cancel} @click=${cancel}>${msg('Cancel')}</button>`
    : html`<button class="primary" data-testid=${ids.start} ?disabled=${!ready} @click=${train}>
        ${msg('Train')}
      </button>`;
}

/** What the inspector still has to capture before a run can start (see `trainingShortfall`). */
export function renderShortfall(shortfall: TrainingShortfall): TemplateResult {
  const text =
    shortfall.kind === 'none'
      ? msg('Capture photos to train on first: at least 2 of each class you want to teach (Inspect screen, Capture).')
      : shortfall.kind === 'classes'
        ? msg(
            str`Training from the base needs captures of at least 2 classes; so far only ${shortfall.have.map(classDisplayName).join(', ')}.`,
          )
        : msg(
            str`Capture at least 2 photos of ${shortfall.labels.map(classDisplayName).join(', ')}: one to train on, one to check the result with.`,
          );
  return html`<div class="note" data-testid="train-shortfall" data-kind=${shortfall.kind}>${text}</div>`;
}

/** The live status row (with a progress bar when `progress` is given) and the error, if any. */
export function renderRunStatus(
  phase: string,
  status: string,
  progress: { done: number; total: number } | undefined,
  error: string,
  ids: TrainerTestIds,
): TemplateResult {
  return html`<div class="row" role="status" aria-live="polite" data-testid=${ids.status} data-phase=${phase}>
      ${progress ? html`<progress max=${progress.total} value=${progress.done}></progress>` : nothing} ${status}
    </div>
    ${error ? html`<div class="error" role="alert" data-testid=${ids.error}>${error}</div>` : nothing}`;
}

/** The result's Save (disabled while saving) and Discard buttons. */
export function renderSaveRow(
  saving: boolean,
  saveLabel: string,
  ids: { save: string; discard: string },
  save: () => void,
  discard: () => void,
): TemplateResult {
  return html`<div class="row">
    <button class="primary" data-testid=${ids.save} ?disabled=${saving} @click=${save}>${saveLabel}</button>
    <button data-testid=${ids.discard} @click=${discard}>${msg('Discard')}</button>
  </div>`;
}
