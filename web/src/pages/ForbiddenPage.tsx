import { useEffect } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../stores/auth';

/**
 * What a signed-in user who is not an admin sees at /admin (the server answers 403 anyway);
 * `embedded` inside the console, when the server refuses an account that lost its role.
 */
export function ForbiddenPage({ embedded = false }: { embedded?: boolean }) {
  const { t } = useTranslation();
  const user = useAuth((s) => s.user);
  useEffect(() => {
    document.title = `${t('forbidden.title')} · ${t('app.name')}`;
  }, [t]);
  const Frame = embedded ? 'div' : 'main';
  return (
    <Frame className="auth-page" id={embedded ? undefined : 'main'} data-testid="forbidden">
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
    </Frame>
  );
}
