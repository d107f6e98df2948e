import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';

/** The message of an error thrown by a library task (the store's and model files' errors are meant for the user). */
export function taskErrorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What a library screen (captures, models) is doing, and the notice or error its last task ended
 * with. Every change re-renders the host.
 */
export class TaskStatus {
  private text = { busy: '', notice: '', error: '' };

  /** @param host the screen to re-render on changes. */
  constructor(private readonly host: Pick<ReactiveControllerHost, 'requestUpdate'>) {}

  /** What is running ('' when idle); a task may update it as it goes. */
  get busy(): string {
    return this.text.busy;
  }

  set busy(busy: string) {
    this.text = { ...this.text, busy };
    this.host.requestUpdate();
  }

  /**
   * Runs `work` as the task `label`: busy meanwhile; when it is over either way, `after` runs (e.g. the
   * screen re-reads its state), and only then the notice `work` returned, or its error's message, is
   * shown, so that a notice never stands next to the state from before the task. Resolves true when
   * `work` succeeded.
   */
  async run(label: string, work: () => Promise<string | void>, after: () => Promise<void>): Promise<boolean> {
    this.text = { busy: label, notice: '', error: '' };
    this.host.requestUpdate();
    let outcome: { notice: string } | { error: string };
    try {
      outcome = { notice: (await work()) ?? '' };
    } catch (e) {
      outcome = { error: taskErrorMessage(e) };
    }
    try {
      await after();
    } finally {
      this.text = { busy: '', notice: '', error: '', ...outcome };
      this.host.requestUpdate();
    }
    return 'notice' in outcome;
  }

  /** The task lines: busy, notice and error, each only when set; `prefix` names their test ids (`${prefix}-notice`, `${prefix}-error`). */
  render(prefix: string): TemplateResult {
    const { busy, notice, error } = this.text;
    return html`${busy ? html`<div class="note" role="status">${busy}</div>` : nothing}
    ${notice ? html`<div class="note" role="status" data-testid=${`${prefix}-notice`}>${notice}</div>` : nothing}
    ${error ? html`<div class="error" role="alert" data-testid=${`${prefix}-error`}>${error}</div>` : nothing}`;
  }
}
