// The audit log, newest first: filters in the address, pages of 50 added on demand.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi, type AuditEntry, type User } from '../../api';
import { auditActor, auditTarget } from '../../lib/auditNames';
import { AUDIT_ACTIONS, filtersFromSearch, filtersToQuery, filtersToSearch, NO_FILTERS, type AuditFilters } from '../../lib/auditFilters';
import { formatDateTime } from '../../lib/format';
import { LoadError, Loading, PageTitle, StatusBadge } from './shared';

const PAGE = 50;

export default function AuditPage() {
  const { t, i18n } = useTranslation('admin');
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const [entries, setEntries] = useState<{ key: string; items: AuditEntry[]; cursor: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [users, setUsers] = useState<User[]>([]);
  const ids = { actor: useId(), action: useId(), from: useId(), to: useId(), actions: useId() };

  // Usernames for the actor column and filter (the first 200 accounts).
  useEffect(() => {
    adminApi.listUsers({ limit: 200 }).then((page) => setUsers(page.items), () => undefined);
  }, []);
  const byId = useMemo(() => new Map(users.map((u) => [u.id, u.username])), [users]);
  const resolveActor = useMemo(() => {
    const byName = new Map(users.map((u) => [u.username.toLowerCase(), u.id]));
    return (name: string) => byName.get(name.toLowerCase());
  }, [users]);

  const query = useMemo(() => filtersToQuery(filters, resolveActor), [filters, resolveActor]);
  // The query as text: a new object with the same filters does not load again.
  const key = JSON.stringify(query);
  useEffect(() => {
    const controller = new AbortController();
    const filtered = JSON.parse(key) as adminApi.AuditQuery;
    adminApi.listAudit({ ...filtered, limit: PAGE }, controller.signal).then(
      (page) => {
        setEntries({ key, items: page.items, cursor: page.next_cursor ?? null });
        setError(null);
      },
      (e: unknown) => !controller.signal.aborted && setError(e),
    );
    return () => controller.abort();
  }, [key]);

  async function more() {
    if (!entries?.cursor) return;
    try {
      const page = await adminApi.listAudit({ ...query, cursor: entries.cursor, limit: PAGE });
      setEntries({ key, items: [...entries.items, ...page.items], cursor: page.next_cursor ?? null });
    } catch (e) {
      setError(e);
    }
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    setSearch(filtersToSearch(draft));
  }

  const set = (field: keyof AuditFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  const current = entries && entries.key === key ? entries : null;

  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-audit">
      <PageTitle title={t('audit.title')}>
        <p className="hint">{t('audit.intro')}</p>
      </PageTitle>
      <form className="card admin-filters audit-filters" onSubmit={apply} role="search" aria-label={t('audit.filters')}>
        <div className="field">
          <label htmlFor={ids.actor}>{t('audit.actor')}</label>
          <input id={ids.actor} value={draft.actor} onChange={set('actor')} placeholder={t('audit.actorPlaceholder')} data-testid="audit-actor" />
        </div>
        <div className="field">
          <label htmlFor={ids.action}>{t('audit.action')}</label>
          <input id={ids.action} value={draft.action} onChange={set('action')} list={ids.actions} placeholder="auth.login" data-testid="audit-action" />
          <datalist id={ids.actions}>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor={ids.from}>{t('audit.from')}</label>
          <input id={ids.from} type="date" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>{t('audit.to')}</label>
          <input id={ids.to} type="date" value={draft.to} onChange={set('to')} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button primary" data-testid="audit-apply">
            {t('audit.apply')}
          </button>
          <button
            type="button"
            className="button ghost"
            onClick={() => {
              setDraft(NO_FILTERS);
              setSearch(new URLSearchParams());
            }}
          >
            {t('audit.reset')}
          </button>
        </div>
      </form>
      {error ? <LoadError error={error} /> : null}
      {!current && !error && <Loading />}
      {current && (
        <div className="table-wrap">
          <table className="table stacked audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('audit.time')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.result')}</th>
                <th scope="col">{t('audit.ip')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {current.items.length === 0 && (
                <tr>
                  <td colSpan={7}>{t('audit.none')}</td>
                </tr>
              )}
              {current.items.map((entry) => (
                <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                  <td className="nowrap" data-label={t('audit.time')}>{formatDateTime(entry.created_at, i18n.language)}</td>
                  <td data-label={t('audit.actor')} data-testid="audit-actor-cell">
                    <Name name={auditActor(entry, byId)} />
                  </td>
                  <td data-label={t('audit.action')}>
                    <code>{entry.action}</code>
                  </td>
                  <td data-label={t('audit.target')} data-testid="audit-target-cell">
                    {entry.target_type ? (
                      <>
                        <span className="hint">{entry.target_type}</span> <Name name={auditTarget(entry, byId)} />
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label={t('audit.result')}>
                    <StatusBadge tone={entry.result === 'success' ? 'ok' : 'bad'}>{entry.result === 'success' ? t('audit.success') : t('audit.failure')}</StatusBadge>
                  </td>
                  <td data-label={t('audit.ip')}>{entry.ip ?? '—'}</td>
                  <td data-label={t('audit.details')}>
                    {Object.keys(entry.details ?? {}).length > 0 || entry.request_id ? (
                      <details>
                        <summary>{t('audit.show')}</summary>
                        <pre className="audit-details">{JSON.stringify({ ...entry.details, request_id: entry.request_id, user_agent: entry.user_agent }, null, 2)}</pre>
                      </details>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {current?.cursor && (
        <button type="button" className="button ghost wide" onClick={() => void more()} data-testid="audit-more">
          {t('loadMore')}
        </button>
      )}
    </section>
  );
}

/** A name as resolved for the log: a known name, the CLI, an id nobody names any more, or nothing. */
function Name({ name }: { name: ReturnType<typeof auditActor> }) {
  const { t } = useTranslation('admin');
  switch (name.kind) {
    case 'name':
      return <>{name.text}</>;
    case 'cli':
      return <em>{t('audit.viaCli')}</em>;
    case 'id':
      return (
        <span title={name.text}>
          <code>{name.text.slice(0, 8)}</code>
          {name.gone && <span className="hint"> {t('audit.deleted')}</span>}
        </span>
      );
    default:
      return <>—</>;
  }
}
