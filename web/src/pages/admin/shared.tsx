// Pieces every admin screen uses: loading data, showing a failure (the 403 screen when the
// server says the account is no admin), a page heading.
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Problem } from '../../api';
import { describeError, errorKind } from '../../lib/errors';
import { ForbiddenPage } from '../ForbiddenPage';

/** A failed load: the 403 screen, or the reason with a retry button. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (errorKind(error) === 'forbidden') return <ForbiddenPage embedded />;
  return (
    <div className="banner error" role="alert">
      <span>{describeError(t, error)}</span>
      {onRetry && (
        <button type="button" className="button small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function PageTitle({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} · ${t('nav.admin')} · ${t('app.name')}`;
  }, [title, t]);
  return (
    <div className="admin-title">
      <div>
        <h2 id="admin-page-title">{title}</h2>
        {children}
      </div>
      {actions && <div className="admin-actions">{actions}</div>}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="admin-loading" role="status">
      <span className="spinner" aria-hidden="true" /> {t('common.loading')}
    </p>
  );
}

/** A coloured word for a state (ok, down, enabled…); the word itself carries the meaning. */
export function StatusBadge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'neutral'; children: ReactNode }) {
  return <span className={`status-badge ${tone}`}>{children}</span>;
}

/** The outcome of an action, with a validation report when the server sent one. */
export interface Notice {
  ok: boolean;
  text: string;
  problems?: Problem[];
}

export function NoticeBanner({ notice, onClose }: { notice: Notice; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <div className={`banner ${notice.ok ? 'ok' : 'error'}`} role={notice.ok ? 'status' : 'alert'} data-testid="admin-notice">
      <div>
        <span>{notice.text}</span>
        {notice.problems && notice.problems.length > 0 && (
          <ul className="problems">
            {notice.problems.map((p, i) => (
              <li key={i}>
                {p.agent ? <code>{p.agent}</code> : null} <code>{p.field}</code>: {p.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" className="icon-button small" onClick={onClose} aria-label={t('common.close')}>
        ×
      </button>
    </div>
  );
}
