import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi, isAbort, type LinkedIdentity, type Me } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DeletionBanner } from '../components/DeletionBanner';
import { PasswordField } from '../components/PasswordField';
import { Preferences } from '../components/Preferences';
import { ChartIcon, MenuIcon } from '../components/icons';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/time';
import { useAuth } from '../stores/auth';
import { useDeletion } from '../stores/deletion';
import { useRegistrationInfo } from '../stores/registration';
import { DataSection } from './settings/DataSection';
import { FilesSection } from './settings/FilesSection';
import { InstructionsSection } from './settings/InstructionsSection';
import { KeysSection } from './settings/KeysSection';
import { PresetsSection } from './settings/PresetsSection';
import { SharesSection } from './settings/SharesSection';
import { useUi } from '../stores/ui';

export default function SettingsPage() {
  const { t } = useTranslation();
  const setDrawer = useUi((s) => s.setDrawer);
  // Bumped when the password change revoked the API keys: the key list then loads afresh.
  const [keysVersion, setKeysVersion] = useState(0);
  const { hash } = useLocation();
  // The signed-in user from /api/auth/me (the session's user carries neither the groups nor
  // the custom instructions), loaded once for both sections.
  const [me, setMe] = useState<Me | null>(null);
  const [meError, setMeError] = useState<string | null>(null);
  useEffect(() => {
    document.title = `${t('settings.title')} · ${t('app.name')}`;
  }, [t]);
  useEffect(() => {
    const controller = new AbortController();
    authApi.me(controller.signal).then(
      (loaded) => {
        setMe(loaded);
        // Also for the banner that offers to cancel a scheduled deletion.
        useDeletion.getState().set(loaded.id, loaded.delete_after ?? null);
      },
      (e: unknown) => !isAbort(e) && !controller.signal.aborted && setMeError(describeError(t, e)),
    );
    return () => controller.abort();
  }, [t]);
  // Links such as /settings#presets (from the composer's preset menu) open at their section.
  useEffect(() => {
    if (hash) document.getElementById(decodeURIComponent(hash.slice(1)))?.scrollIntoView?.();
  }, [hash]);
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
        <DeletionBanner />
        <section className="card" aria-labelledby="settings-general">
          <h2 id="settings-general">{t('settings.general')}</h2>
          <Preferences />
        </section>
        <AccountSection me={me} meError={meError} onKeysRevoked={() => setKeysVersion((v) => v + 1)} />
        <InstructionsSection key={me ? 'loaded' : 'loading'} saved={me ? (me.custom_instructions ?? null) : undefined} loadError={meError} />
        <PresetsSection />
        <section className="card" aria-labelledby="settings-usage">
          <h2 id="settings-usage">{t('usage.title')}</h2>
          <p className="hint">{t('usage.settingsIntro')}</p>
          <Link to="/usage" className="button" data-testid="settings-usage-link">
            <ChartIcon /> {t('usage.open')}
          </Link>
        </section>
        <FilesSection />
        <SharesSection />
        <KeysSection key={keysVersion} />
        {/* Until /api/auth/me answers, the deletion asks for the password (most accounts have one). */}
        <DataSection hasPassword={me?.has_password !== false} />
      </div>
    </main>
  );
}

/** The groups the user belongs to (from /api/auth/me: the session's user does not carry them). */
function MyGroups({ me, error }: { me: Me | null; error: string | null }) {
  const { t } = useTranslation();
  const groups = me ? (me.groups ?? []) : null;
  return (
    <div className="my-groups" data-testid="settings-groups">
      <h3>{t('settings.groups')}</h3>
      <p className="hint">{t('settings.groupsIntro')}</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {groups && groups.length === 0 && <p data-testid="settings-no-groups">{t('settings.noGroups')}</p>}
      {groups && groups.length > 0 && (
        <ul className="chips" aria-label={t('settings.groups')}>
          {groups.map((g) => (
            <li key={g.id} className="chip" data-testid="settings-group">
              {g.name}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The single sign-on identities that sign in as this account (none: nothing shown). */
function MyIdentities({ identities }: { identities: LinkedIdentity[] }) {
  const { t, i18n } = useTranslation();
  if (identities.length === 0) return null;
  return (
    <div className="my-groups" data-testid="settings-identities">
      <h3 id="settings-sso">{t('settings.sso')}</h3>
      <p className="hint">{t('settings.ssoIntro')}</p>
      <ul className="identities" aria-labelledby="settings-sso">
        {identities.map((identity) => (
          <li key={`${identity.provider}/${identity.linked_at}`} data-testid="settings-identity" data-provider={identity.provider}>
            <strong data-testid="settings-identity-provider">{identity.provider_name}</strong>
            {identity.email && <span data-testid="settings-identity-email">{identity.email}</span>}
            <span className="hint">
              {t('settings.identityLinked', { date: formatDate(identity.linked_at, i18n.language) })}
              {identity.last_login_at && <> · {t('settings.identityLastLogin', { date: formatDate(identity.last_login_at, i18n.language) })}</>}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** "Corp SSO", "Corp SSO or Partner" (the distinct providers' names), in the UI's language. */
function providerNames(identities: LinkedIdentity[], language: string): string {
  const names = [...new Set(identities.map((i) => i.provider_name))];
  try {
    return new Intl.ListFormat(language, { type: 'disjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}

function AccountSection({ me, meError, onKeysRevoked }: { me: Me | null; meError: string | null; onKeysRevoked: () => void }) {
  const { t, i18n } = useTranslation();
  const user = useAuth((s) => s.user);
  // Shown until /api/auth/me says the account has no password (made by single sign-on).
  const hasPassword = me?.has_password !== false;
  // Local passwords switched off (auth.password_login): a password cannot sign anyone in, so
  // there is nothing to change here (it is kept for when they are switched on again).
  const passwordsOff = useRegistrationInfo()?.password_login === false;
  const identities = me?.identities ?? [];
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [revokeKeys, setRevokeKeys] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);

  async function change(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    // Checked here: a typo would otherwise lock the user out of their own account.
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      await authApi.changePassword(current, next, revokeKeys);
      setCurrent('');
      setNext('');
      setRepeat('');
      setRevokeKeys(false);
      setMessage({ ok: true, text: t(revokeKeys ? 'settings.passwordChangedKeysRevoked' : 'settings.passwordChanged') });
      if (revokeKeys) onKeysRevoked();
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
      <MyGroups me={me} error={meError} />
      <MyIdentities identities={identities} />
      {!hasPassword && (
        <p data-testid="settings-no-password">
          {t('settings.noPassword', {
            provider: identities.length > 0 ? providerNames(identities, i18n.language) : t('settings.noPasswordProvider'),
          })}
        </p>
      )}
      {hasPassword && passwordsOff && (
        <p className="hint" data-testid="settings-passwords-off">
          {t('settings.passwordsOff')}
        </p>
      )}
      {hasPassword && !passwordsOff && (
        <form className="form" onSubmit={change} aria-labelledby="settings-password" data-testid="password-form">
          <h3 id="settings-password">{t('settings.changePassword')}</h3>
          <PasswordField label={t('settings.currentPassword')} value={current} onChange={setCurrent} autoComplete="current-password" testId="password-current" />
          <PasswordField label={t('settings.newPassword')} value={next} onChange={setNext} autoComplete="new-password" testId="password-new" />
          <PasswordField
            label={t('settings.repeatPassword')}
            value={repeat}
            onChange={(value) => {
              setRepeat(value);
              if (mismatch && value === next) setMismatch(false);
            }}
            autoComplete="new-password"
            testId="password-repeat"
            error={mismatch ? t('auth.passwordsDiffer') : null}
          />
          <label className="check">
            <input type="checkbox" checked={revokeKeys} onChange={(e) => setRevokeKeys(e.target.checked)} data-testid="password-revoke-keys" />
            {t('settings.revokeKeysWithPassword')}
          </label>
          {message && (
            <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
          <button type="submit" className="button primary" disabled={busy} data-testid="password-submit">
            {t('settings.changePassword')}
          </button>
        </form>
      )}
      {/* Without the password form, a failed "sign out everywhere" is told here. */}
      {message && !hasPassword && (
        <p className="form-error" role="alert">
          {message.text}
        </p>
      )}
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
