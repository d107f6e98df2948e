import { css } from 'lit';

/**
 * Height of the storage panel's collapsed line (crackcam-storage-panel.ts): the shell keeps it from
 * its first paint, before the PWA layer defines the panel, so that nothing moves when it comes.
 */
export const storagePanelLineHeight = css`2.4rem`;

/** The look of buttons, selects and text, URL, password and number inputs: the live view's controls and the panels'. */
export const controlStyles = css`
  button,
  select,
  input[type='text'],
  input[type='url'],
  input[type='password'],
  input[type='number'] {
    font: inherit;
    min-height: 2.75rem;
    padding: 0 0.9rem;
    border-radius: 0.4rem;
    border: 1px solid #90a4ae;
    background: #37474f;
    color: #fff;
  }
`;

/** Buttons, inputs and panels shared by the trainer's views (captures, training, models). */
export const panelStyles = css`
  :host {
    display: block;
    color: #fff;
    background: #1c262b;
    font-size: 1rem;
  }
  ${controlStyles}
  button,
  select,
  input[type='text'],
  input[type='url'],
  input[type='password'],
  input[type='number'] {
    box-sizing: border-box;
    max-width: 100%;
  }
  a {
    color: #90caf9;
  }
  input[type='number'] {
    width: 6rem;
  }
  button.primary {
    background: #1565c0;
    border-color: #1565c0;
    font-weight: 700;
  }
  button.danger {
    background: #b71c1c;
    border-color: #b71c1c;
  }
  button[aria-pressed='true'] {
    background: #eceff1;
    color: #000;
  }
  button:disabled {
    opacity: 0.5;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    padding: 0.5rem 0.8rem;
  }
  .row > label {
    max-width: 100%;
  }
  .error {
    margin: 0.5rem 0.8rem;
    padding: 0.6rem 0.8rem;
    background: #ffcdd2;
    color: #000;
    font-weight: 600;
    border-radius: 0.3rem;
  }
  .note {
    margin: 0.5rem 0.8rem;
    opacity: 0.85;
  }
  h2 {
    font-size: 1.15rem;
    margin: 0.6rem 0.8rem 0.2rem;
  }
`;

/** Progress bar, figure and table of the trainers' progress and result screens. */
export const resultStyles = css`
  progress {
    width: 14rem;
  }
  table {
    border-collapse: collapse;
    margin: 0.4rem 0.8rem;
  }
  th,
  td {
    border: 1px solid #546e7a;
    padding: 0.25rem 0.6rem;
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .score {
    font-size: 1.6rem;
    font-weight: 700;
  }
`;

/** A label styled as a button around a hidden file input (the library screens' imports). */
export const fileButtonStyles = css`
  input[type='file'] {
    display: none;
  }
  label.file {
    display: inline-flex;
    align-items: center;
    min-height: 2.75rem;
    padding: 0 0.9rem;
    border-radius: 0.4rem;
    border: 1px solid #90a4ae;
    background: #37474f;
    cursor: pointer;
  }
`;
