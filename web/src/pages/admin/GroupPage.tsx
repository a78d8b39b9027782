// One group: its name and description, its members (add by searching the users, remove), the
// agents restricted to it, its budget (shared by its members), and deleting it (refused while
// an agent has no other group).
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi, ApiError, type AdminAgent, type Budget, type GroupDetail, type GroupMember, type User } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TableHead } from '../../components/TableHead';
import { describeError, fieldError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { parseRetention } from '../../lib/retention';
import { BudgetForm } from './BudgetForm';
import { GroupDescriptionField, GroupNameField } from './GroupFields';
import { RetentionField } from './RetentionField';
import { LoadError, Loading, NoticeBanner, PageTitle, StatusBadge, type Notice } from './shared';
import { useLoad } from './useLoad';

/** Memberships an identity provider sets again at each sign-in. */
const MANAGED_SOURCES = new Set(['oidc', 'ldap']);
const SOURCES = new Set(['admin', 'invitation', 'oidc', 'ldap']);

export default function GroupPage() {
  const { id = '' } = useParams();
  const loaded = useLoad((signal) => adminApi.getGroup(id, signal), id);
  if (loaded.error) return <LoadError error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data || loaded.data.id !== id) return <Loading />;
  return <Group key={id} initial={loaded.data} />;
}

function Group({ initial }: { initial: GroupDetail }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const [group, setGroup] = useState(initial);
  const [notice, setNotice] = useState<Notice | null>((location.state as { notice?: Notice } | null)?.notice ?? null);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  // For the agents' names; the ids do when it fails.
  const agents = useLoad(() => adminApi.listAgents().catch(() => [] as AdminAgent[]), 'agents');
  const memberIds = new Set(group.members.map((m) => m.id));

  /** Runs a change to the members, then shows the group as the server has it now. */
  async function members(userId: string, change: () => Promise<void>, done: string) {
    setBusy(userId);
    try {
      await change();
      setNotice({ ok: true, text: done });
      setGroup(await adminApi.getGroup(group.id));
    } catch (error) {
      setNotice({ ok: false, text: describeError(tc, error) });
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    setDeleting(false);
    try {
      await adminApi.deleteGroup(group.id);
      navigate('/admin/groups', { state: { notice: { ok: true, text: t('groups.deleted', { name: group.name }) } } });
    } catch (error) {
      const text = error instanceof ApiError && error.code === 'group_in_use' ? t('groups.inUse', { message: error.message }) : describeError(tc, error);
      setNotice({ ok: false, text });
    }
  }

  const managed = group.members.some((m) => MANAGED_SOURCES.has(m.source));

  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-group" data-group={group.name}>
      <PageTitle
        title={group.name}
        actions={
          <>
            <Link to="/admin/groups" className="button ghost">
              {t('groups.back')}
            </Link>
            <button type="button" className="button danger" onClick={() => setDeleting(true)} data-testid="group-delete">
              {t('groups.delete')}
            </button>
          </>
        }
      >
        {group.description && <p className="hint">{group.description}</p>}
      </PageTitle>
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}

      <Details
        group={group}
        onSaved={(saved) => {
          setGroup(saved);
          setNotice({ ok: true, text: t('groups.saved', { name: saved.name }) });
        }}
      />

      <section className="card" aria-labelledby="group-members-title" data-testid="group-members-section">
        <h3 id="group-members-title">
          {t('groups.members')} <span className="hint">({group.members.length})</span>
        </h3>
        <p className="hint">{t('groups.membersIntro')}</p>
        {group.members.length === 0 ? (
          <p data-testid="group-no-members">{t('groups.noMembers')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table stacked" data-testid="group-members-table">
              <TableHead columns={[t('groups.username'), t('groups.source'), t('groups.addedAt')]} actions={t('agents.actions')} />
              <tbody>
                {group.members.map((member) => (
                  <MemberRow
                    key={member.id}
                    member={member}
                    busy={busy === member.id}
                    onRemove={() =>
                      void members(member.id, () => adminApi.removeGroupMember(group.id, member.id), t('groups.removed', { name: member.username }))
                    }
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {managed && <p className="hint">{t('groups.managedHint')}</p>}
        <AddMember
          isMember={(user) => memberIds.has(user.id)}
          busy={busy}
          onAdd={(user) => void members(user.id, () => adminApi.addGroupMember(group.id, user.id), t('groups.memberAdded', { name: user.username }))}
        />
      </section>

      <section className="card" aria-labelledby="group-agents-title" data-testid="group-agents-section">
        <h3 id="group-agents-title">{t('groups.agents')}</h3>
        <p className="hint">{t('groups.agentsIntro')}</p>
        {group.agents.length === 0 ? (
          <p data-testid="group-no-agents">{t('groups.noGroupAgents')}</p>
        ) : (
          <ul className="group-agents" data-testid="group-agent-list">
            {group.agents.map((id) => {
              const agent = agents.data?.find((a) => a.id === id);
              return (
                <li key={id} data-testid="group-agent" data-agent={id}>
                  {agent?.name ?? id} <code className="hint">{id}</code>
                  {agents.data && agents.data.length > 0 && !agent && <span className="hint"> · {t('groups.unknownAgent')}</span>}
                </li>
              );
            })}
          </ul>
        )}
        <Link to="/admin/agents" className="button small">
          {t('groups.toAgents')}
        </Link>
      </section>

      <GroupBudget groupId={group.id} />

      {deleting && (
        <ConfirmDialog
          title={t('groups.deleteTitle', { name: group.name })}
          body={t('groups.deleteBody')}
          confirmLabel={t('groups.delete')}
          danger
          onCancel={() => setDeleting(false)}
          onConfirm={() => void remove()}
        />
      )}
    </section>
  );
}

/** The group's budget, from the list of every budget (`GET /api/admin/budgets`). */
function GroupBudget({ groupId }: { groupId: string }) {
  const { t } = useTranslation('admin');
  const budgets = useLoad((signal) => adminApi.listBudgets(signal), `budgets:${groupId}`);
  // What a save or a removal answered, once there was one; the list's until then.
  const [changed, setChanged] = useState<{ budget: Budget | null } | null>(null);
  const budget = changed ? changed.budget : (budgets.data?.items.find((b) => b.scope === 'group' && b.id === groupId) ?? null);
  return (
    <section className="card" aria-labelledby="group-budget-title" data-testid="group-budget">
      <h3 id="group-budget-title">{t('budgets.title')}</h3>
      <p className="hint">{t('budgets.groupIntro')}</p>
      {budgets.error ? <LoadError error={budgets.error} onRetry={budgets.reload} /> : null}
      {!budgets.data && !budgets.error && <Loading />}
      {budgets.data && <BudgetForm scope="group" id={groupId} currency={budgets.data.currency} budget={budget} onChange={(next) => setChanged({ budget: next })} />}
    </section>
  );
}

const retentionText = (days: number | null | undefined) => (days === null || days === undefined ? '' : String(days));

/**
 * Renames the group, changes its description or its retention; sends only what changed (an
 * emptied retention as null: conversations are kept again).
 */
function Details({ group, onSaved }: { group: GroupDetail; onSaved: (group: GroupDetail) => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description);
  const [retention, setRetention] = useState(retentionText(group.retention_days));
  const [errors, setErrors] = useState<{ name?: string; description?: string; retention_days?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const days = parseRetention(retention);
  const patch = {
    ...(name.trim() !== group.name ? { name: name.trim() } : {}),
    ...(description.trim() !== group.description ? { description: description.trim() } : {}),
    ...(days !== undefined && days !== (group.retention_days ?? null) ? { retention_days: days } : {}),
  };
  const changed = Object.keys(patch).length > 0 || days === undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (days === undefined) {
      setErrors({ retention_days: t('groups.retentionRange') });
      return;
    }
    if (!changed) return;
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const saved = await adminApi.updateGroup(group.id, patch);
      setName(saved.name);
      setDescription(saved.description);
      setRetention(retentionText(saved.retention_days));
      onSaved(saved);
    } catch (e) {
      const found = fieldError(e, ['name', 'description', 'retention_days'] as const);
      if (found) setErrors({ [found.field]: found.message });
      else setError(describeError(tc, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="group-details-title" data-testid="group-details">
      <h3 id="group-details-title">{t('groups.details')}</h3>
      <div className="field-row">
        <GroupNameField label={t('groups.name')} value={name} onChange={setName} error={errors.name} testId="group-edit-name" />
        <GroupDescriptionField label={t('groups.description')} value={description} onChange={setDescription} error={errors.description} testId="group-edit-description" />
      </div>
      <RetentionField value={retention} onChange={setRetention} error={errors.retention_days} testId="group-edit-retention" />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !changed} data-testid="group-save">
          {busy ? t('groups.saving') : t('groups.save')}
        </button>
      </div>
    </form>
  );
}

function MemberRow({ member, busy, onRemove }: { member: GroupMember; busy: boolean; onRemove: () => void }) {
  const { t, i18n } = useTranslation('admin');
  return (
    <tr data-testid="member-row" data-username={member.username}>
      <th scope="row">
        {member.username}
        {member.display_name && <span className="hint"> · {member.display_name}</span>}
      </th>
      <td data-label={t('groups.source')}>
        {SOURCES.has(member.source) ? t(`groups.sources.${member.source as 'admin' | 'invitation' | 'oidc' | 'ldap'}`) : member.source}
      </td>
      <td data-label={t('groups.addedAt')}>{formatDateTime(member.added_at, i18n.language)}</td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="button small"
            onClick={onRemove}
            disabled={busy}
            aria-label={t('groups.removeNamed', { name: member.username })}
            data-testid="member-remove"
          >
            {t('groups.remove')}
          </button>
        </div>
      </td>
    </tr>
  );
}

/** Searches the users (as the Users page does) and adds one with a click. */
function AddMember({ isMember, busy, onAdd }: { isMember: (user: User) => boolean; busy: string | null; onAdd: (user: User) => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ query: string; users: User[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const searchId = useId();
  const wanted = query.trim();

  useEffect(() => {
    if (!wanted) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      adminApi.listUsers({ q: wanted, limit: 10 }, controller.signal).then(
        (page) => {
          setFound({ query: wanted, users: page.items });
          setError(null);
        },
        (e: unknown) => !controller.signal.aborted && setError(describeError(tc, e)),
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [wanted, tc]);

  const users = wanted && found?.query === wanted ? found.users : null;

  return (
    <div className="add-member" data-testid="add-member">
      <h4>{t('groups.addMember')}</h4>
      <div className="admin-filters" role="search">
        <label htmlFor={searchId}>{t('groups.searchUsers')}</label>
        <input
          id={searchId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder={t('groups.searchPlaceholder')}
          autoComplete="off"
          data-testid="member-search"
        />
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {users && users.length === 0 && <p className="hint" role="status">{t('groups.noUsers')}</p>}
      {users && users.length > 0 && (
        <ul className="member-candidates" aria-label={t('groups.addMember')}>
          {users.map((user) => {
            const member = isMember(user);
            return (
              <li key={user.id} data-testid="member-candidate" data-username={user.username}>
                <span>
                  {user.username}
                  {user.email && <span className="hint"> · {user.email}</span>}
                  {user.disabled && (
                    <>
                      {' '}
                      <StatusBadge tone="bad">{t('users.disabled')}</StatusBadge>
                    </>
                  )}
                </span>
                {member ? (
                  <span className="hint" data-testid="member-already">
                    {t('groups.isMember')}
                  </span>
                ) : (
                  <button
                    type="button"
                    className="button small"
                    onClick={() => onAdd(user)}
                    disabled={busy === user.id}
                    aria-label={t('groups.addNamed', { name: user.username })}
                    data-testid="member-add"
                  >
                    {t('groups.add')}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
