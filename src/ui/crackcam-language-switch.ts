import { localized, msg } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { allLocales } from '../locales/locale-codes';
import { getLocale, isLocale, LOCALE_NAMES, setLocale } from '../locales/localization';

/**
 * Language picker (English / 日本語). Remembers the choice.
 * @fires locale-change - after the UI language changed; `detail` is the new locale code
 */
@localized()
@customElement('crackcam-language-switch')
export class CrackcamLanguageSwitch extends LitElement {
  static override styles = css`
    select {
      font: inherit;
      min-height: 2.5rem;
      padding: 0 0.4rem;
      border-radius: 0.3rem;
      border: 1px solid #90a4ae;
      background: #263238;
      color: #fff;
    }
  `;

  override render() {
    const current = getLocale();
    return html`<select aria-label=${msg('Language')} data-testid="language" @change=${this.onChange}>
      ${allLocales.map((l) => html`<option value=${l} ?selected=${l === current} lang=${l}>${LOCALE_NAMES[l]}</option>`)}
    </select>`;
  }

  private async onChange(e: Event): Promise<void> {
    const value = (e.target as HTMLSelectElement).value;
    if (!isLocale(value)) return;
    await setLocale(value, true);
    this.dispatchEvent(new CustomEvent<string>('locale-change', { detail: value, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-language-switch': CrackcamLanguageSwitch;
  }
}
