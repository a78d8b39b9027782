// Invitations: create one (role, expiry, note) and show its link once; the list with each
// one's state; revoke.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type CreatedInvitation, type Invitation, type Role } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyField } from '../../components/CopyField';
import { describeError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { invitationLink, parseExpiryDays } from '../../lib/invitations';
import { LoadError, Loading, NoticeBanner, StatusBadge, type Notice } from './shared';
import { useLoad } from './useLoad';

const tone = { pending: 'ok', used: 'neutral', expired: 'warn', revoked: 'bad' } as const;

export function InvitationsSection() {
  const { t, i18n } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const list = useLoad((signal) => adminApi.listInvitations({ limit: 100 }, signal), 'invitations');
  const [role, setRole] = useState<Role>('user');
  const [days, setDays] = useState('7');
  const [note, setNote] = useState('');
  const [daysError, setDaysError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const ids = { role: useId(), days: useId(), note: useId(), daysError: useId() };

  async function create(event: FormEvent) {
    event.preventDefault();
    const expires = parseExpiryDays(days);
    setDaysError(expires === null ? t('invitations.daysError') : null);
    if (expires === null) return;
    setBusy(true);
    setNotice(null);
    try {
      const invitation = await adminApi.createInvitation({ role, expires_in_days: expires, ...(note.trim() ? { note: note.trim() } : {}) });
      setCreated(invitation);
      setNote('');
      list.reload();
    } catch (error) {
      setNotice({ ok: false, text: describeError(tc, error) });
    } finally {
      setBusy(false);
    }
  }

  async function revoke(invitation: Invitation) {
    setRevoking(null);
    try {
      await adminApi.revokeInvitation(invitation.id);
      if (created?.id === invitation.id) setCreated(null);
      setNotice({ ok: true, text: t('invitations.revoked') });
      list.reload();
    } catch (error) {
      setNotice({ ok: false, text: describeError(tc, error) });
    }
  }

  const items = list.data?.items;
  return (
    <section className="card" aria-labelledby="system-invitations" data-testid="invitations">
      <h3 id="system-invitations">{t('invitations.title')}</h3>
      <p className="hint">{t('invitations.intro')}</p>
      <form className="admin-filters invitation-form" onSubmit={create} noValidate data-testid="invitation-form">
        <div className="field">
          <label htmlFor={ids.role}>{t('invitations.role')}</label>
          <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invitation-role">
            <option value="user">{t('roles.user')}</option>
            <option value="admin">{t('roles.admin')}</option>
          </select>
        </div>
        <div className={`field${daysError ? ' invalid' : ''}`}>
          <label htmlFor={ids.days}>{t('invitations.expires')}</label>
          <input
            id={ids.days}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            inputMode="numeric"
            aria-invalid={daysError ? true : undefined}
            aria-describedby={daysError ? ids.daysError : undefined}
            data-testid="invitation-days"
          />
          {daysError && (
            <span className="form-error" id={ids.daysError}>
              {daysError}
            </span>
          )}
        </div>
        <div className="field grow">
          <label htmlFor={ids.note}>{t('invitations.note')}</label>
          <input id={ids.note} value={note} maxLength={200} placeholder={t('invitations.notePlaceholder')} onChange={(e) => setNote(e.target.value)} data-testid="invitation-note" />
        </div>
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy} data-testid="invitation-create">
            {busy ? t('invitations.creating') : t('invitations.create')}
          </button>
        </div>
      </form>
      {created && (
        <div className="new-key" role="status" data-testid="invitation-created">
          <p>{t('invitations.created')}</p>
          <CopyField value={invitationLink(window.location.origin, created.code)} testId="invitation-link" />
        </div>
      )}
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      {!items && !list.error && <Loading />}
      {items && items.length === 0 && <p className="hint">{t('invitations.none')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table stacked" data-testid="invitations-table">
            <thead>
              <tr>
                <th scope="col">{t('invitations.note')}</th>
                <th scope="col">{t('invitations.role')}</th>
                <th scope="col">{t('invitations.status')}</th>
                <th scope="col">{t('invitations.created_at')}</th>
                <th scope="col">{t('invitations.expires_at')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('invitations.revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((inv) => (
                <tr key={inv.id} data-testid="invitation-row" data-status={inv.status}>
                  <td data-label={t('invitations.note')}>{inv.note || '—'}</td>
                  <td data-label={t('invitations.role')}>{t(`roles.${inv.role}`)}</td>
                  <td data-label={t('invitations.status')}>
                    <StatusBadge tone={tone[inv.status]}>{t(`invitations.statuses.${inv.status}`)}</StatusBadge>
                    {inv.status === 'used' && inv.used_by_name && <span className="hint"> {t('invitations.usedBy', { name: inv.used_by_name })}</span>}
                  </td>
                  <td data-label={t('invitations.created_at')}>{formatDateTime(inv.created_at, i18n.language)}</td>
                  <td data-label={t('invitations.expires_at')}>{formatDateTime(inv.expires_at, i18n.language)}</td>
                  <td>
                    {inv.status === 'pending' && (
                      <button type="button" className="button small danger" onClick={() => setRevoking(inv)} data-testid="invitation-revoke">
                        {t('invitations.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('invitations.revokeTitle')}
          body={t('invitations.revokeBody')}
          confirmLabel={t('invitations.revoke')}
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        />
      )}
    </section>
  );
}
