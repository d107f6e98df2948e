/**
 * Entry point: sets the UI language, then the app shell takes over. The shell (header, tabs, camera
 * view) is all this module loads: TF.js, the backend and the model code come in lazy chunks once it
 * has painted (crackcam-app.ts), and so does the offline PWA layer (service worker, storage,
 * offline/update indicators), whose storage panel reads the model library.
 */
import { initialLocale, setLocale } from './locales/localization';
import './ui/crackcam-app';

void setLocale(initialLocale());
void import('./ui/pwa-setup').then(({ setupPwa }) => setupPwa());
