import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi, type SsoProvider } from '../api';
import { describeError, fieldError } from '../lib/errors';
import { safeReturnPath, ssoErrorCode, ssoStartUrl } from '../lib/sso';
import { useAuth } from '../stores/auth';
import { useRegistration, useRegistrationInfo } from '../stores/registration';
import { PasswordField } from '../components/PasswordField';
import { TextField } from '../components/TextField';
import { Preferences } from '../components/Preferences';

function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <div className="auth-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <span>{t('app.name')}</span>
        </div>
        <h1>{title}</h1>
        {children}
      </div>
      <Preferences compact />
    </main>
  );
}

/** The registration rules, asked each time an auth page opens. */
/** No admin exists and registration cannot make one (production): how to make one. */
function NeedsAdmin() {
  const { t } = useTranslation();
  return (
    <div className="notice" role="note" data-testid="needs-admin">
      <p>{t('auth.needsAdmin')}</p>
      <pre className="command">
        <code>llmchat user create --admin NAME</code>
      </pre>
      <p className="hint">{t('auth.needsAdminHint')}</p>
    </div>
  );
}

/**
 * One link per single sign-on provider. Plain links, not fetches: the server sends the browser
 * to the provider and, once signed in there, back to `returnTo` with the session's cookie set.
 */
function SsoButtons({ providers, label, returnTo, inviteCode, divided, primary }: {
  providers: SsoProvider[];
  label: (name: string) => string;
  returnTo?: string | null;
  inviteCode?: string;
  /** Under a password form: an "or" line first. */
  divided?: boolean;
  /** The only way in (no password form): the main action's style. */
  primary?: boolean;
}) {
  const { t } = useTranslation();
  if (providers.length === 0) return null;
  return (
    <>
      {divided && (
        <p className="auth-divider" aria-hidden="true">
          <span>{t('auth.sso.or')}</span>
        </p>
      )}
      <div className="sso-buttons" role="group" aria-label={t('auth.sso.providers')} data-testid="sso-buttons">
        {providers.map((provider) => (
          <a
            key={provider.id}
            className={`button wide sso-button${primary ? ' primary' : ''}`}
            href={ssoStartUrl(provider.id, { returnTo, inviteCode })}
            data-testid="sso-button"
            data-provider={provider.id}
          >
            {label(provider.name)}
          </a>
        ))}
      </div>
    </>
  );
}

/** Why the last single sign-on failed (`/login?sso_error=<code>`, set by the server). */
function SsoErrorAlert({ code }: { code: string }) {
  const { t } = useTranslation();
  const known = ssoErrorCode(code);
  return (
    <p className="notice error" role="alert" data-testid="sso-error" data-code={known}>
      {t(`auth.sso.errors.${known}`)}
    </p>
  );
}

export function LoginPage() {
  const { t } = useTranslation();
  const ended = useAuth((s) => s.ended);
  const info = useRegistrationInfo();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const usernameId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await authApi.login(username.trim(), password);
    } catch (e) {
      setError(describeError(t, e));
      setBusy(false);
    }
  }

  // The register link keeps `next`, not the failure of a single sign-on.
  const registerSearch = new URLSearchParams(params);
  registerSearch.delete('sso_error');
  const registerLink = { pathname: '/register', search: registerSearch.toString() };
  const needsAdmin = !!info && info.needs_admin && !info.first_account_admin;
  // Unknown until the server answered: passwords work (older servers have no other way).
  const passwords = info?.password_login ?? true;
  // A directory (LDAP) checks the form's passwords even when local ones are off.
  const directory = info?.directory ?? null;
  const form = passwords || directory !== null;
  const providers = info?.providers ?? [];
  const ssoError = params.get('sso_error');
  // Where the guard sent the user from (`?next=`): the provider brings them back there.
  const returnTo = safeReturnPath(params.get('next'));

  // A fresh install: nobody can sign in yet; the first account is made here (with a password;
  // without passwords, the first single sign-on makes it).
  if (info && !info.has_accounts && info.first_account_admin && passwords) {
    return (
      <AuthFrame title={t('auth.firstRunTitle')}>
        <div data-testid="first-run">
          <p>{t('auth.firstRunBody')}</p>
          <Link to={registerLink} className="button primary wide" data-testid="first-account-link">
            {t('auth.createFirstAccount')}
          </Link>
        </div>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame title={info && !info.has_accounts ? t('auth.firstRunTitle') : t('auth.welcomeBack')}>
      {ended === 'expired' && <p className="notice" role="status">{t('auth.sessionExpired')}</p>}
      {ended === 'deleted' && (
        <p className="notice" role="status" data-testid="account-deleted">
          {t('auth.accountDeleted')}
        </p>
      )}
      {needsAdmin && <NeedsAdmin />}
      {ssoError && <SsoErrorAlert code={ssoError} />}
      {!form && (
        <p className="notice" role="note" data-testid="passwords-off">
          {t('auth.sso.passwordsOff')}
        </p>
      )}
      {directory !== null && (
        <p className="hint" data-testid="login-directory">
          {t('auth.sso.directory', { name: directory })}
        </p>
      )}
      {form && (
        <form onSubmit={submit} className="form" aria-busy={busy} data-testid="login-form">
          <div className="field">
            <label htmlFor={usernameId}>{t('auth.usernameOrEmail')}</label>
            <input
              id={usernameId}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="username"
              autoFocus
              required
              data-testid="login-username"
            />
          </div>
          <PasswordField label={t('auth.password')} value={password} onChange={setPassword} autoComplete="current-password" testId="login-password" />
          {error && <p className="form-error" role="alert">{error}</p>}
          <button className="button primary wide" type="submit" disabled={busy} data-testid="login-submit">
            {busy ? t('auth.signingIn') : t('auth.signIn')}
          </button>
        </form>
      )}
      <SsoButtons providers={providers} label={(name) => t('auth.sso.signInWith', { name })} returnTo={returnTo} divided={form} primary={!form} />
      {!passwords ? null : info?.mode === 'closed' ? (
        <p className="auth-switch" data-testid="registration-closed">{t('auth.registrationClosed')}</p>
      ) : info?.mode === 'invite' ? (
        <p className="auth-switch" data-testid="registration-invite">
          {t('auth.inviteOnly')} <Link to={registerLink}>{t('auth.haveInvite')}</Link>
        </p>
      ) : (
        <p className="auth-switch">
          {t('auth.noAccount')} <Link to={registerLink} data-testid="register-link">{t('auth.signUp')}</Link>
        </p>
      )}
    </AuthFrame>
  );
}

/** The fields the server can name in a refused registration. */
const REGISTER_FIELDS = ['username', 'email', 'password', 'invite_code'] as const;
type RegisterField = (typeof REGISTER_FIELDS)[number] | 'confirm';

export function RegisterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const info = useRegistrationInfo();
  const [params] = useSearchParams();
  const invited = params.get('invite') ?? '';
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [inviteCode, setInviteCode] = useState(invited);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<RegisterField, string>>>({});

  // The login link keeps `next`, not the invitation.
  const loginSearch = new URLSearchParams(params);
  loginSearch.delete('invite');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (password !== confirm) {
      setFieldErrors({ confirm: t('auth.passwordsDiffer') });
      return;
    }
    setFieldErrors({});
    setBusy(true);
    try {
      await authApi.register({
        username: username.trim(),
        password,
        email: email.trim() || undefined,
        inviteCode: inviteCode.trim() || undefined,
      });
      // There are accounts now (and maybe an admin): ask again when a sign-in page next opens.
      useRegistration.setState({ info: null });
      navigate('/', { replace: true });
    } catch (e) {
      const found = fieldError(e, REGISTER_FIELDS);
      if (found) setFieldErrors({ [found.field]: found.message });
      else setError(describeError(t, e));
      setBusy(false);
      // The mode may have changed under us (closed, by invitation): show the page as it is now.
      void useRegistration.getState().load();
    }
  }

  const footer = (
    <p className="auth-switch">
      {t('auth.haveAccount')} <Link to={{ pathname: '/login', search: loginSearch.toString() }}>{t('auth.signIn')}</Link>
    </p>
  );

  if (info?.mode === 'closed') {
    return (
      <AuthFrame title={t('auth.createAccount')}>
        <p className="notice" data-testid="registration-closed">{t('auth.registrationClosed')}</p>
        {info.needs_admin && <NeedsAdmin />}
        {footer}
      </AuthFrame>
    );
  }

  const needsInvite = info?.mode === 'invite' || invited !== '';
  // Unknown until the server answered: passwords work (older servers have no other way).
  const passwords = info?.password_login ?? true;
  const providers = info?.providers ?? [];
  const code = inviteCode.trim();
  const inviteField = needsInvite && (
    <TextField
      label={t('auth.inviteCode')}
      value={inviteCode}
      onChange={(e) => setInviteCode(e.target.value)}
      autoComplete="off"
      spellCheck={false}
      required={info?.mode === 'invite'}
      error={fieldErrors.invite_code}
      testId="register-invite"
    />
  );
  return (
    <AuthFrame title={info?.first_account_admin ? t('auth.createFirstAccount') : t('auth.createAccount')}>
      {info?.first_account_admin && (
        <p className="notice" role="note" data-testid="first-account-admin">
          {t('auth.firstAccountAdmin')}
        </p>
      )}
      {info?.mode === 'invite' && !invited && <p className="hint">{t('auth.inviteNeeded')}</p>}
      {!passwords && (
        <>
          <p className="notice" role="note" data-testid="passwords-off">
            {t('auth.sso.passwordsOffRegister')}
          </p>
          {inviteField}
        </>
      )}
      {passwords && (
        <form onSubmit={submit} className="form" aria-busy={busy} data-testid="register-form">
          {inviteField}
          <TextField
            label={t('auth.username')}
            hint={t('auth.usernameHint')}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            autoFocus
            required
            minLength={3}
            maxLength={32}
            error={fieldErrors.username}
            testId="register-username"
          />
          <TextField
            label={t('auth.email')}
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoComplete="email"
            error={fieldErrors.email}
            testId="register-email"
          />
          <PasswordField
            label={t('auth.password')}
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            testId="register-password"
            error={fieldErrors.password}
          />
          <PasswordField
            label={t('auth.confirmPassword')}
            value={confirm}
            onChange={setConfirm}
            autoComplete="new-password"
            testId="register-confirm"
            error={fieldErrors.confirm}
          />
          {error && <p className="form-error" role="alert" data-testid="register-error">{error}</p>}
          <button className="button primary wide" type="submit" disabled={busy} data-testid="register-submit">
            {busy ? t('auth.signingUp') : t('auth.signUp')}
          </button>
        </form>
      )}
      {/* A new account through a provider: with the invitation, or when passwords are off (the only way then). */}
      {(code !== '' || !passwords) && (
        <SsoButtons
          providers={providers}
          label={(name) => t(passwords ? 'auth.sso.orSignUpWith' : 'auth.sso.signUpWith', { name })}
          returnTo={safeReturnPath(params.get('next'))}
          inviteCode={code}
          primary={!passwords}
        />
      )}
      {footer}
    </AuthFrame>
  );
}
