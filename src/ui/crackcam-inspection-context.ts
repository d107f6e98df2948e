import { localized, msg } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { InspectionContext } from '../core/finding';
import { panelStyles } from './shared-styles';

/** The form's fields, in order. */
const KEYS = ['inspection', 'structure', 'element', 'inspector'] as const;

/**
 * The inspection context form: inspection name, structure, element/member, inspector, set once and
 * copied into each new finding. The inspection name is required (it names the report).
 *
 * Test hooks: inputs `[data-testid="context-<key>"]` (key: inspection, structure, element, inspector),
 * `[data-testid="context-save"]`.
 *
 * @fires context-change - detail: the entered {@link InspectionContext} (trimmed).
 * @fires context-cancel - the form was closed without saving.
 */
@localized()
@customElement('crackcam-inspection-context')
export class CrackcamInspectionContext extends LitElement {
  /** The current context, shown for editing. */
  @property({ attribute: false }) context?: InspectionContext;

  static override styles = [
    panelStyles,
    css`
      form {
        display: grid;
        grid-template-columns: minmax(8rem, max-content) 1fr;
        gap: 0.4rem 0.6rem;
        align-items: center;
        padding: 0.5rem 0.8rem;
      }
      input {
        width: 100%;
      }
      .actions {
        grid-column: 1 / -1;
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  private label(key: (typeof KEYS)[number]): string {
    switch (key) {
      case 'inspection':
        return msg('Inspection');
      case 'structure':
        return msg('Structure');
      case 'element':
        return msg('Element / member');
      default:
        return msg('Inspector');
    }
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const value = (key: string) => String(data.get(key) ?? '').trim();
    const context: InspectionContext = {
      inspection: value('inspection'),
      structure: value('structure'),
      element: value('element'),
      inspector: value('inspector'),
    };
    this.dispatchEvent(
      new CustomEvent<InspectionContext>('context-change', { detail: context, bubbles: true, composed: true }),
    );
  }

  override render() {
    return html`<form @submit=${this.onSubmit} aria-label=${msg('Inspection details')}>
      ${KEYS.map(
        (key) =>
          html`<label for=${key}>${this.label(key)}</label>
            <input
              id=${key}
              name=${key}
              type="text"
              maxlength="200"
              ?required=${key === 'inspection'}
              data-testid="context-${key}"
              .value=${this.context?.[key] ?? ''}
            />`,
      )}
      <div class="actions">
        <button class="primary" type="submit" data-testid="context-save">${msg('Save inspection details')}</button>
        <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('context-cancel', { bubbles: true, composed: true }))}>
          ${msg('Cancel')}
        </button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-inspection-context': CrackcamInspectionContext;
  }
}
