/**
 * Entry point: sets the UI language, then the app shell takes over (backend, model, camera), and the
 * offline PWA layer (service worker, storage, offline/update indicators) attaches to the shell.
 */
import { initialLocale, setLocale } from './locales/localization';
import './ui/crackcam-app';
import { setupPwa } from './ui/pwa-setup';

void setLocale(initialLocale());
setupPwa();
