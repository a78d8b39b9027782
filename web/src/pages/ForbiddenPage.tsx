import { useEffect } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../stores/auth';

/** What a signed-in user who is not an admin sees at /admin (the server answers 403 anyway). */
export function ForbiddenPage() {
  const { t } = useTranslation();
  const user = useAuth((s) => s.user);
  useEffect(() => {
    document.title = `${t('forbidden.title')} · ${t('app.name')}`;
  }, [t]);
  return (
    <main className="auth-page" id="main" data-testid="forbidden">
      <div className="auth-card">
        <p className="status-code" aria-hidden="true">
          403
        </p>
        <h1>{t('forbidden.title')}</h1>
        <p>{t('forbidden.body', { name: user?.username ?? '' })}</p>
        <Link className="button primary" to="/">
          {t('forbidden.home')}
        </Link>
      </div>
    </main>
  );
}
