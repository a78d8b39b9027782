import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi, type RegistrationInfo } from '../api';
import { describeError, fieldError } from '../lib/errors';
import { useAuth } from '../stores/auth';
import { useRegistration } from '../stores/registration';
import { FieldMessage, PasswordField } from '../components/PasswordField';
import { Preferences } from '../components/Preferences';

/** A text field of the auth forms, with its hint and its error (from the server's `field`). */
function TextField({ label, hint, error, testId, ...input }: {
  label: string;
  hint?: string;
  error?: string | null;
  testId: string;
} & React.InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} aria-invalid={error ? true : undefined} aria-describedby={described} data-testid={testId} />
      {hint && <small id={`${id}-hint`} className="hint">{hint}</small>}
      {error && <FieldMessage id={`${id}-error`} testId={`${testId}-error`} text={error} />}
    </div>
  );
}

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
function useRegistrationInfo(): RegistrationInfo | null {
  const { info, load } = useRegistration();
  useEffect(() => {
    void load();
  }, [load]);
  return info;
}

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

  const registerLink = { pathname: '/register', search: params.toString() };
  const needsAdmin = !!info && info.needs_admin && !info.first_account_admin;

  // A fresh install: nobody can sign in yet; the first account is made here.
  if (info && !info.has_accounts && info.first_account_admin) {
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
      {info?.mode === 'closed' ? (
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
  return (
    <AuthFrame title={info?.first_account_admin ? t('auth.createFirstAccount') : t('auth.createAccount')}>
      {info?.first_account_admin && (
        <p className="notice" role="note" data-testid="first-account-admin">
          {t('auth.firstAccountAdmin')}
        </p>
      )}
      {info?.mode === 'invite' && !invited && <p className="hint">{t('auth.inviteNeeded')}</p>}
      <form onSubmit={submit} className="form" aria-busy={busy} data-testid="register-form">
        {needsInvite && (
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
        )}
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
      {footer}
    </AuthFrame>
  );
}
