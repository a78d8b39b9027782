import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi, keysApi, type ApiKey, type CreatedApiKey } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Preferences } from '../components/Preferences';
import { CheckIcon, CopyIcon, MenuIcon } from '../components/icons';
import { copyText } from '../lib/clipboard';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/time';
import { useAuth } from '../stores/auth';
import { useUi } from '../stores/ui';

export default function SettingsPage() {
  const { t } = useTranslation();
  const setDrawer = useUi((s) => s.setDrawer);
  useEffect(() => {
    document.title = `${t('settings.title')} · ${t('app.name')}`;
  }, [t]);
  return (
    <main className="settings" id="main" tabIndex={-1}>
      <header className="chat-header">
        <button type="button" className="icon-button" data-phone-only onClick={() => setDrawer(true)} aria-label={t('nav.openSidebar')}>
          <MenuIcon />
        </button>
        <h1 className="chat-title">{t('settings.title')}</h1>
        <Link to="/" className="button ghost">
          {t('nav.back')}
        </Link>
      </header>
      <div className="settings-body">
        <section className="card" aria-labelledby="settings-general">
          <h2 id="settings-general">{t('settings.general')}</h2>
          <Preferences />
        </section>
        <AccountSection />
        <KeysSection />
      </div>
    </main>
  );
}

function AccountSection() {
  const { t } = useTranslation();
  const user = useAuth((s) => s.user);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const currentId = useId();
  const nextId = useId();

  async function change(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await authApi.changePassword(current, next);
      setCurrent('');
      setNext('');
      setMessage({ ok: true, text: t('settings.passwordChanged') });
    } catch (e) {
      setMessage({ ok: false, text: describeError(t, e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="settings-account">
      <h2 id="settings-account">{t('settings.account')}</h2>
      <p>{t('settings.signedInAs', { name: user?.username ?? '' })}</p>
      <form className="form" onSubmit={change} aria-labelledby="settings-password">
        <h3 id="settings-password">{t('settings.changePassword')}</h3>
        <div className="field">
          <label htmlFor={currentId}>{t('settings.currentPassword')}</label>
          <input id={currentId} type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" required />
        </div>
        <div className="field">
          <label htmlFor={nextId}>{t('settings.newPassword')}</label>
          <input id={nextId} type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" required />
        </div>
        {message && (
          <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {t('settings.changePassword')}
        </button>
      </form>
      <div className="danger-zone">
        <h3>{t('settings.signOutEverywhere')}</h3>
        <p className="hint">{t('settings.signOutEverywhereBody')}</p>
        <button type="button" className="button danger" onClick={() => setConfirming(true)} data-testid="sign-out-everywhere">
          {t('settings.signOutEverywhere')}
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={t('settings.signOutEverywhere')}
          body={t('settings.signOutEverywhereBody')}
          confirmLabel={t('settings.signOutEverywhere')}
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            authApi.logoutEverywhere().catch((e) => setMessage({ ok: false, text: describeError(t, e) }));
          }}
        />
      )}
    </section>
  );
}

function KeysSection() {
  const { t, i18n } = useTranslation();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const nameId = useId();

  useEffect(() => {
    keysApi
      .listKeys()
      .then((page) => setKeys(page.items))
      .catch((e) => setError(describeError(t, e)));
  }, [t]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const key = await keysApi.createKey({ name: name.trim() });
      setCreated(key);
      setCopied(false);
      setName('');
      setKeys((list) => [key, ...(list ?? [])]);
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  async function revoke(key: ApiKey) {
    setRevoking(null);
    try {
      await keysApi.revokeKey(key.id);
      setKeys((list) => (list ?? []).filter((k) => k.id !== key.id));
      if (created?.id === key.id) setCreated(null);
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  return (
    <section className="card" aria-labelledby="settings-keys">
      <h2 id="settings-keys">{t('settings.keys')}</h2>
      <p className="hint">{t('settings.keysIntro')}</p>
      <form className="inline-form" onSubmit={create}>
        <label htmlFor={nameId} className="visually-hidden">
          {t('settings.keyName')}
        </label>
        <input id={nameId} value={name} placeholder={t('settings.keyName')} onChange={(e) => setName(e.target.value)} maxLength={100} required data-testid="key-name" />
        <button type="submit" className="button primary" data-testid="create-key">
          {t('settings.createKey')}
        </button>
      </form>
      {created && (
        <div className="new-key" role="status" data-testid="new-key">
          <p>{t('settings.keyCreated')}</p>
          <div className="new-key-row">
            <code>{created.key}</code>
            <button
              type="button"
              className="button"
              onClick={async () => setCopied(await copyText(created.key))}
            >
              {copied ? <CheckIcon /> : <CopyIcon />} {copied ? t('common.copied') : t('common.copy')}
            </button>
          </div>
        </div>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      {keys && keys.length === 0 && <p className="hint">{t('settings.noKeys')}</p>}
      {keys && keys.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="keys-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.keyName')}</th>
                <th scope="col">{t('settings.prefix')}</th>
                <th scope="col">{t('settings.created')}</th>
                <th scope="col">{t('settings.lastUsed')}</th>
                <th scope="col"><span className="visually-hidden">{t('settings.revoke')}</span></th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td><code>{key.prefix}…</code></td>
                  <td>{formatDate(key.created_at, i18n.language)}</td>
                  <td>{key.last_used_at ? formatDate(key.last_used_at, i18n.language) : t('common.never')}</td>
                  <td>
                    <button type="button" className="button small danger" onClick={() => setRevoking(key)}>
                      {t('settings.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('settings.revokeTitle')}
          body={t('settings.revokeBody', { name: revoking.name })}
          confirmLabel={t('settings.revoke')}
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        />
      )}
    </section>
  );
}
