import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi } from '../api';
import { describeError } from '../lib/errors';
import { useAuth } from '../stores/auth';
import { EyeIcon } from '../components/icons';
import { Preferences } from '../components/Preferences';

function PasswordField({ label, value, onChange, autoComplete, testId }: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [shown, setShown] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-with-button">
        <input
          id={id}
          type={shown ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete={autoComplete}
          required
          data-testid={testId}
        />
        <button
          type="button"
          className="icon-button"
          aria-pressed={shown}
          aria-label={shown ? t('auth.hidePassword') : t('auth.showPassword')}
          onClick={() => setShown(!shown)}
        >
          <EyeIcon />
        </button>
      </div>
    </div>
  );
}

function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
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

export function LoginPage() {
  const { t } = useTranslation();
  const ended = useAuth((s) => s.ended);
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

  return (
    <AuthFrame title={t('auth.welcomeBack')}>
      {ended === 'expired' && <p className="notice" role="status">{t('auth.sessionExpired')}</p>}
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
      <p className="auth-switch">
        {t('auth.noAccount')} <Link to={{ pathname: '/register', search: params.toString() }}>{t('auth.signUp')}</Link>
      </p>
    </AuthFrame>
  );
}

export function RegisterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const usernameId = useId();
  const emailId = useId();
  const hintId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) {
      setError(t('auth.passwordsDiffer'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await authApi.register(username.trim(), password, email.trim() || undefined);
      navigate('/', { replace: true });
    } catch (e) {
      setError(describeError(t, e));
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t('auth.createAccount')}>
      <form onSubmit={submit} className="form" aria-busy={busy} data-testid="register-form">
        <div className="field">
          <label htmlFor={usernameId}>{t('auth.username')}</label>
          <input
            id={usernameId}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            aria-describedby={hintId}
            autoFocus
            required
            minLength={3}
            maxLength={32}
            data-testid="register-username"
          />
          <small id={hintId} className="hint">{t('auth.usernameHint')}</small>
        </div>
        <div className="field">
          <label htmlFor={emailId}>{t('auth.email')}</label>
          <input id={emailId} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
        </div>
        <PasswordField label={t('auth.password')} value={password} onChange={setPassword} autoComplete="new-password" testId="register-password" />
        <PasswordField label={t('auth.confirmPassword')} value={confirm} onChange={setConfirm} autoComplete="new-password" testId="register-confirm" />
        {error && <p className="form-error" role="alert">{error}</p>}
        <button className="button primary wide" type="submit" disabled={busy} data-testid="register-submit">
          {busy ? t('auth.signingUp') : t('auth.signUp')}
        </button>
      </form>
      <p className="auth-switch">
        {t('auth.haveAccount')} <Link to={{ pathname: '/login', search: params.toString() }}>{t('auth.signIn')}</Link>
      </p>
    </AuthFrame>
  );
}
