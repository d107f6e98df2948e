/**
 * Entry point: sets the UI language, then the app shell takes over. The shell (header, tabs, camera
 * view) is all this module loads: TF.js, the backend and the model code come in lazy chunks once it
 * has painted (crackcam-app.ts), and so does the offline PWA layer (service worker, storage panel,
 * offline/update indicators).
 */
import { initialLocale, setLocale } from './locales/localization';
import { afterNextPaint } from './ui/after-next-paint';
import './ui/crackcam-app';

/** Resolves once the browser has painted the whole app shell. */
async function shellPainted(): Promise<void> {
  await document.querySelector('crackcam-app')?.shellReady;
  await afterNextPaint();
}

void setLocale(initialLocale());
// The PWA layer comes after the shell's first paint, not before.
void shellPainted()
  .then(() => import('./ui/pwa-setup'))
  .then(({ setupPwa }) => setupPwa());
