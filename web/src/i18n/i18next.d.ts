import 'i18next';
import type en from './en';
import type adminEn from './admin.en';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en; admin: typeof adminEn };
  }
}
