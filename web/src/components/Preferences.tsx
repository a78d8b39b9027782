import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage, type Language } from '../i18n';
import { useTheme, type ThemeMode } from '../stores/theme';

/** Theme and language pickers (settings page, and a compact row on the login page). */
export function Preferences({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const { mode, setMode } = useTheme();
  const themeId = useId();
  const languageId = useId();
  return (
    <div className={compact ? 'preferences compact' : 'preferences'}>
      <div className="field inline">
        <label htmlFor={themeId}>{t('settings.theme')}</label>
        <select id={themeId} value={mode} onChange={(e) => setMode(e.target.value as ThemeMode)} data-testid="theme-select">
          {(['system', 'light', 'dark'] as const).map((m) => (
            <option key={m} value={m}>
              {t(`settings.themes.${m}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field inline">
        <label htmlFor={languageId}>{t('settings.language')}</label>
        <select
          id={languageId}
          value={i18n.language}
          onChange={(e) => setLanguage(e.target.value as Language)}
          data-testid="language-select"
        >
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code} lang={l.code}>
              {l.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
