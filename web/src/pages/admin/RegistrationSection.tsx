// Who can create an account: the mode in force, where it comes from (configuration or this
// console), a change that applies at once, and the way back to the configuration's value.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type AdminSettings, type RegistrationMode } from '../../api';
import { describeError } from '../../lib/errors';
import { LoadError, Loading, NoticeBanner, type Notice } from './shared';
import { useLoad } from './useLoad';

const MODES: RegistrationMode[] = ['open', 'invite', 'closed'];

export function RegistrationSection() {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const loaded = useLoad((signal) => adminApi.settings(signal), 'settings');
  const [saved, setSaved] = useState<AdminSettings | null>(null);
  const settings = saved ?? loaded.data;
  const [choice, setChoice] = useState<RegistrationMode | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const name = useId();

  async function apply(mode: RegistrationMode | null) {
    setBusy(true);
    setNotice(null);
    try {
      const next = await adminApi.setRegistration(mode);
      setSaved(next);
      setChoice(null);
      setNotice({ ok: true, text: t('registration.changed', { mode: t(`registration.short.${next.registration.mode}`) }) });
    } catch (error) {
      setNotice({ ok: false, text: describeError(tc, error) });
    } finally {
      setBusy(false);
    }
  }

  if (!settings) {
    return (
      <section className="card" aria-labelledby="system-registration" data-testid="registration-settings">
        <h3 id="system-registration">{t('registration.title')}</h3>
        {loaded.error ? <LoadError error={loaded.error} onRetry={loaded.reload} /> : <Loading />}
      </section>
    );
  }
  const { mode, source, config_mode: configMode } = settings.registration;
  const selected = choice ?? mode;
  return (
    <section className="card" aria-labelledby="system-registration" data-testid="registration-settings" data-mode={mode} data-source={source}>
      <h3 id="system-registration">{t('registration.title')}</h3>
      <p className="hint">{t('registration.intro')}</p>
      <p data-testid="registration-current">
        <strong>{t('registration.current', { mode: t(`registration.short.${mode}`) })}</strong>{' '}
        {source === 'console'
          ? t('registration.fromConsole', { mode: t(`registration.short.${configMode}`) })
          : t('registration.fromConfig')}
      </p>
      <fieldset className="checkboxes">
        <legend>{t('registration.mode')}</legend>
        {MODES.map((m) => (
          <label key={m} className="check">
            <input type="radio" name={name} value={m} checked={selected === m} onChange={() => setChoice(m)} data-testid={`registration-mode-${m}`} />
            {t(`registration.modes.${m}`)}
          </label>
        ))}
      </fieldset>
      <div className="form-actions start">
        <button type="button" className="button primary" disabled={busy || selected === mode} onClick={() => void apply(selected)} data-testid="registration-apply">
          {busy ? t('registration.applying') : t('registration.apply')}
        </button>
        {source === 'console' && (
          <button type="button" className="button ghost" disabled={busy} onClick={() => void apply(null)} data-testid="registration-reset">
            {t('registration.reset')}
          </button>
        )}
      </div>
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
    </section>
  );
}
