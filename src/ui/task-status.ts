import { html, nothing, type TemplateResult } from 'lit';

/** The message of an error thrown by a library task (the store's and model files' errors are meant for the user). */
export function taskErrorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The library screens' task lines: what is running (`busy`), the last task's notice and its error,
 * each only when set; `prefix` names their test ids (`${prefix}-notice`, `${prefix}-error`).
 */
export function renderTaskStatus(busy: string, notice: string, error: string, prefix: string): TemplateResult {
  return html`${busy ? html`<div class="note" role="status">${busy}</div>` : nothing}
  ${notice ? html`<div class="note" role="status" data-testid=${`${prefix}-notice`}>${notice}</div>` : nothing}
  ${error ? html`<div class="error" role="alert" data-testid=${`${prefix}-error`}>${error}</div>` : nothing}`;
}
