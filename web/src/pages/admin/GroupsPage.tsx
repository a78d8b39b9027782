// Groups: every group with its members and the agents it may use, and a form to create one.
// A group's own page (GroupPage) manages its members; Agents → Access restricts an agent.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi, type AdminAgent, type GroupDetail } from '../../api';
import { describeError, fieldError } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { parseRetention } from '../../lib/retention';
import { GroupDescriptionField, GroupNameField } from './GroupFields';
import { RetentionField, RetentionText } from './RetentionField';
import { LoadError, Loading, NoticeBanner, PageTitle, type Notice } from './shared';
import { useLoad } from './useLoad';

export default function GroupsPage() {
  const { t, i18n } = useTranslation('admin');
  const location = useLocation();
  const navigate = useNavigate();
  const groups = useLoad((signal) => adminApi.listGroups(signal), 'groups');
  // For the agents' names; the ids do when it fails.
  const agents = useLoad(() => adminApi.listAgents().catch(() => [] as AdminAgent[]), 'agents');
  const [notice, setNotice] = useState<Notice | null>((location.state as { notice?: Notice } | null)?.notice ?? null);
  const [creating, setCreating] = useState(false);
  const agentName = (id: string) => agents.data?.find((a) => a.id === id)?.name ?? id;

  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-groups">
      <PageTitle
        title={t('groups.title')}
        actions={
          <button type="button" className="button primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating} data-testid="new-group">
            {t('groups.new')}
          </button>
        }
      >
        <p className="hint">{t('groups.intro')}</p>
      </PageTitle>
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
      {creating && (
        <CreateGroup
          onCreated={(group) =>
            navigate(`/admin/groups/${encodeURIComponent(group.id)}`, { state: { notice: { ok: true, text: t('groups.created', { name: group.name }) } } })
          }
        />
      )}
      {groups.error ? <LoadError error={groups.error} onRetry={groups.reload} /> : null}
      {!groups.data && !groups.error && <Loading />}
      {groups.data && (
        <div className="table-wrap">
          <table className="table stacked" data-testid="groups-table">
            <thead>
              <tr>
                <th scope="col">{t('groups.name')}</th>
                <th scope="col">{t('groups.description')}</th>
                <th scope="col" className="num">
                  {t('groups.members')}
                </th>
                <th scope="col">{t('groups.agents')}</th>
                <th scope="col">{t('groups.retentionColumn')}</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.length === 0 && (
                <tr>
                  <td colSpan={5}>{t('groups.none')}</td>
                </tr>
              )}
              {groups.data.map((group) => (
                <tr key={group.id} data-testid="group-row" data-group={group.name}>
                  <th scope="row">
                    <Link to={`/admin/groups/${encodeURIComponent(group.id)}`} data-testid="group-link">
                      {group.name}
                    </Link>
                  </th>
                  <td data-label={t('groups.description')}>{group.description || <span className="hint">—</span>}</td>
                  <td className="num" data-label={t('groups.members')} data-testid="group-members">
                    {formatNumber(group.member_count, i18n.language)}
                  </td>
                  <td data-label={t('groups.agents')} data-testid="group-agents">
                    {group.agents.length === 0 ? (
                      <span className="hint">{t('groups.noAgents')}</span>
                    ) : (
                      <span className="chips">
                        {group.agents.map((id) => (
                          <span key={id} className="chip" title={id}>
                            {agentName(id)}
                          </span>
                        ))}
                      </span>
                    )}
                  </td>
                  <td data-label={t('groups.retentionColumn')} data-testid="group-retention" data-days={group.retention_days ?? ''}>
                    <RetentionText days={group.retention_days} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * Name, description and retention; the server's refusal (a taken or bad name) shows on its
 * field. An empty retention is left out: conversations are kept.
 */
function CreateGroup({ onCreated }: { onCreated: (group: GroupDetail) => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [retention, setRetention] = useState('');
  const [errors, setErrors] = useState<{ name?: string; description?: string; retention_days?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const days = parseRetention(retention);
    if (days === undefined) {
      setErrors({ retention_days: t('groups.retentionRange') });
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      onCreated(
        await adminApi.createGroup({
          name: name.trim(),
          description: description.trim() || null,
          ...(days !== null ? { retention_days: days } : {}),
        }),
      );
    } catch (e) {
      const found = fieldError(e, ['name', 'description', 'retention_days'] as const);
      if (found) {
        setErrors({ [found.field]: found.message });
        if (found.field === 'name') first.current?.focus();
      } else setError(describeError(tc, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} aria-label={t('groups.new')} data-testid="create-group">
      <div className="field-row">
        <GroupNameField ref={first} label={t('groups.name')} value={name} onChange={setName} hint={t('groups.nameHint')} error={errors.name} testId="group-name" />
        <GroupDescriptionField label={t('groups.descriptionOptional')} value={description} onChange={setDescription} error={errors.description} testId="group-description" />
      </div>
      <RetentionField value={retention} onChange={setRetention} error={errors.retention_days} testId="group-retention-input" />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy} data-testid="group-create">
          {busy ? t('groups.creating') : t('groups.create')}
        </button>
      </div>
    </form>
  );
}
