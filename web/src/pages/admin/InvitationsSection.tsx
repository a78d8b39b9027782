// Invitations: create one (role, expiry, note, the groups the new account joins) and show its
// link once; the list with each one's state and groups; revoke.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type CreatedInvitation, type GroupRef, type Invitation, type Role } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyField } from '../../components/CopyField';
import { TableHead } from '../../components/TableHead';
import { describeError, fieldError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { invitationLink, parseExpiryDays } from '../../lib/invitations';
import { LoadError, Loading, NoticeBanner, StatusBadge, type Notice } from './shared';
import { useLoad } from './useLoad';

const tone = { pending: 'ok', used: 'neutral', expired: 'warn', revoked: 'bad' } as const;

export function InvitationsSection() {
  const { t, i18n } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const list = useLoad((signal) => adminApi.listInvitations({ limit: 100 }, signal), 'invitations');
  // Every group, to pick from; without any (or when they cannot be read) there is no picker.
  const groups = useLoad((signal) => adminApi.listGroups(signal), 'groups');
  const [role, setRole] = useState<Role>('user');
  const [days, setDays] = useState('7');
  const [note, setNote] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [groupsError, setGroupsError] = useState<string | null>(null);
  const [daysError, setDaysError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const ids = { role: useId(), days: useId(), note: useId(), daysError: useId(), groupsError: useId() };
  const allGroups = groups.data ?? [];
  // Only groups that still exist (one may have been deleted since it was ticked).
  const picked = chosen.filter((id) => allGroups.some((g) => g.id === id));

  async function create(event: FormEvent) {
    event.preventDefault();
    const expires = parseExpiryDays(days);
    setDaysError(expires === null ? t('invitations.daysError') : null);
    if (expires === null) return;
    setBusy(true);
    setNotice(null);
    setGroupsError(null);
    try {
      const invitation = await adminApi.createInvitation({
        role,
        expires_in_days: expires,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(picked.length > 0 ? { groups: picked } : {}),
      });
      setCreated(invitation);
      setNote('');
      list.reload();
    } catch (error) {
      const found = fieldError(error, ['groups'] as const);
      if (found) {
        // A group deleted meanwhile: say so on the picker and show the groups as they are now.
        setGroupsError(found.message);
        groups.reload();
      } else {
        setNotice({ ok: false, text: describeError(tc, error) });
      }
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
        {allGroups.length > 0 && (
          <fieldset
            className={`checkboxes invitation-groups${groupsError ? ' invalid' : ''}`}
            aria-describedby={groupsError ? ids.groupsError : undefined}
            data-testid="invitation-groups-picker"
          >
            <legend>{t('invitations.groups')}</legend>
            <p className="hint">{t('invitations.groupsHint')}</p>
            {allGroups.map((g) => (
              <label key={g.id} className="check">
                <input
                  type="checkbox"
                  checked={picked.includes(g.id)}
                  onChange={(e) => setChosen(e.target.checked ? [...picked, g.id] : picked.filter((id) => id !== g.id))}
                  data-testid="invitation-group"
                  data-group={g.name}
                />
                {g.name}
              </label>
            ))}
            {groupsError && (
              <span className="form-error" id={ids.groupsError} role="alert" data-testid="invitation-groups-error">
                {groupsError}
              </span>
            )}
          </fieldset>
        )}
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
          {created.groups?.length > 0 && (
            <p className="hint" data-testid="invitation-created-groups">
              {t('invitations.joins', { groups: created.groups.map((g) => g.name).join(', ') })}
            </p>
          )}
        </div>
      )}
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      {!items && !list.error && <Loading />}
      {items && items.length === 0 && <p className="hint">{t('invitations.none')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table stacked" data-testid="invitations-table">
            <TableHead
              columns={[t('invitations.note'), t('invitations.role'), t('invitations.groups'), t('invitations.status'), t('invitations.created_at'), t('invitations.expires_at')]}
              actions={t('invitations.revoke')}
            />
            <tbody>
              {items.map((inv) => (
                <tr key={inv.id} data-testid="invitation-row" data-status={inv.status}>
                  <td data-label={t('invitations.note')}>{inv.note || '—'}</td>
                  <td data-label={t('invitations.role')}>{t(`roles.${inv.role}`)}</td>
                  <td data-label={t('invitations.groups')} data-testid="invitation-groups">
                    <GroupNames groups={inv.groups} />
                  </td>
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

/** The groups an invitation's account joins: their names, or a dash for none. */
function GroupNames({ groups }: { groups: GroupRef[] | undefined }) {
  const { t } = useTranslation('admin');
  if (!groups || groups.length === 0) return <span aria-label={t('invitations.noGroups')}>—</span>;
  return (
    <ul className="chips">
      {groups.map((g) => (
        <li key={g.id} className="chip" data-testid="invitation-group-name">
          {g.name}
        </li>
      ))}
    </ul>
  );
}
