/** Entry point: sets the UI language, then the app shell takes over (backend, model, camera). */
import { initialLocale, setLocale } from './locales/localization';
import './ui/crackcam-app';

void setLocale(initialLocale());
