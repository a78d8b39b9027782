// Every agent with its source, state and who may use it: enable or disable, test the
// connection, restrict to groups, give its users shared prompt presets, edit, delete database
// agents, and reload the agents file.
import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi, ApiError, type AdminAgent, type AgentAccess, type ConnectionTest, type Group } from '../../api';
import { AgentAvatar } from '../../components/AgentAvatar';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TableHead } from '../../components/TableHead';
import { describeError } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { useAgents } from '../../stores/agents';
import { AccessDialog } from './AgentAccess';
import { SharedPresetsDialog } from './AgentPresets';
import { LoadError, Loading, NoticeBanner, PageTitle, StatusBadge, type Notice } from './shared';
import { useLoad } from './useLoad';

export default function AgentsPage() {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const location = useLocation();
  const agents = useLoad(() => adminApi.listAgents(), 'agents');
  // Who may use each agent, in one request: every group names the agents restricted to it.
  const groups = useLoad((signal) => adminApi.listGroups(signal), 'groups');
  const [notice, setNotice] = useState<Notice | null>((location.state as { notice?: Notice } | null)?.notice ?? null);
  const [tests, setTests] = useState<Record<string, ConnectionTest | 'running' | undefined>>({});
  const [deleting, setDeleting] = useState<AdminAgent | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [access, setAccess] = useState<AdminAgent | null>(null);
  const [presets, setPresets] = useState<AdminAgent | null>(null);
  const groupsOf = (id: string): Group[] | undefined => groups.data?.filter((g) => g.agents.includes(id));

  function accessSaved(agent: AdminAgent, result: AgentAccess) {
    setAccess(null);
    const names = result.groups.map((g) => g.name).join(', ');
    setNotice({ ok: true, text: names ? t('access.savedGroups', { name: agent.name, groups: names }) : t('access.savedEveryone', { name: agent.name }) });
    groups.reload();
  }

  /** The users' agent picker reads /api/agents: let it load again after a change. */
  const changed = () => {
    useAgents.setState({ loaded: false });
    agents.reload();
  };

  async function act(id: string, action: () => Promise<string>) {
    setBusy(id);
    try {
      setNotice({ ok: true, text: await action() });
      changed();
    } catch (error) {
      setNotice({ ok: false, text: describeError(tc, error), problems: error instanceof ApiError ? error.problems : undefined });
    } finally {
      setBusy(null);
    }
  }

  const toggle = (agent: AdminAgent) =>
    act(agent.id, async () => {
      // The masked key in the definition means "keep the stored key".
      await adminApi.updateAgent(agent.id, { ...agent.definition, enabled: !agent.enabled });
      return t(agent.enabled ? 'agents.disabledNotice' : 'agents.enabledNotice', { name: agent.name });
    });

  const reload = () =>
    act('reload', async () => {
      const result = await adminApi.reloadAgents();
      return t('agents.reloaded', { count: result.agents.length });
    });

  async function test(agent: AdminAgent) {
    setTests((all) => ({ ...all, [agent.id]: 'running' }));
    try {
      const result = await adminApi.testAgent(agent.id);
      setTests((all) => ({ ...all, [agent.id]: result }));
    } catch (error) {
      setTests((all) => ({ ...all, [agent.id]: undefined }));
      setNotice({ ok: false, text: describeError(tc, error) });
    }
  }

  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-agents">
      <PageTitle
        title={t('agents.title')}
        actions={
          <>
            <button type="button" className="button" onClick={() => void reload()} disabled={busy === 'reload'} data-testid="reload-agents">
              {t('agents.reload')}
            </button>
            <Link to="/admin/agents/new" className="button primary" data-testid="new-agent">
              {t('agents.new')}
            </Link>
          </>
        }
      >
        <p className="hint">{t('agents.intro')}</p>
      </PageTitle>
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
      {agents.error ? <LoadError error={agents.error} onRetry={agents.reload} /> : null}
      {!agents.data && !agents.error && <Loading />}
      {agents.data && (
        <div className="table-wrap">
          <table className="table stacked" data-testid="agents-table">
            <TableHead
              columns={[t('agents.name'), t('agents.provider'), t('agents.source'), t('agents.status'), t('agents.access'), t('agents.connection')]}
              actions={t('agents.actions')}
            />
            <tbody>
              {agents.data.map((agent) => (
                <tr key={agent.id} data-testid="agent-row" data-agent={agent.id}>
                  <th scope="row">
                    <span className="agent-cell">
                      <AgentAvatar agent={agent} size="small" />
                      <span>
                        <span className="agent-cell-name">{agent.name}</span>
                        <code className="agent-cell-id">{agent.id}</code>
                      </span>
                    </span>
                  </th>
                  <td data-label={t('agents.provider')}>{t(`providers.${agent.provider}`)}</td>
                  <td data-label={t('agents.source')}>
                    {t(`agents.sources.${agent.source}`)}
                    {agent.overrides_file && <span className="hint"> · {t('agents.overridesFile')}</span>}
                  </td>
                  <td data-label={t('agents.status')}>
                    <StatusBadge tone={agent.enabled ? 'ok' : 'neutral'}>{agent.enabled ? t('agents.enabled') : t('agents.disabled')}</StatusBadge>
                  </td>
                  <td data-label={t('agents.access')} data-testid="agent-access">
                    <AccessSummary groups={groupsOf(agent.id)} />
                  </td>
                  <td aria-live="polite" data-label={t('agents.connection')}>
                    <TestResult result={tests[agent.id]} />
                  </td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="button small" onClick={() => void test(agent)} disabled={tests[agent.id] === 'running'} data-testid="test-agent">
                        {t('agents.test')}
                      </button>
                      <button type="button" className="button small" onClick={() => void toggle(agent)} disabled={busy === agent.id} data-testid="toggle-agent">
                        {agent.enabled ? t('agents.disable') : t('agents.enable')}
                      </button>
                      <button
                        type="button"
                        className="button small"
                        onClick={() => setAccess(agent)}
                        disabled={!groups.data}
                        aria-label={t('agents.accessNamed', { name: agent.name })}
                        data-testid="agent-access-edit"
                      >
                        {t('agents.access')}
                      </button>
                      <button
                        type="button"
                        className="button small"
                        onClick={() => setPresets(agent)}
                        aria-label={t('agents.presetsNamed', { name: agent.name })}
                        data-testid="agent-presets"
                      >
                        {t('agents.presets')}
                      </button>
                      <Link className="button small" to={`/admin/agents/${encodeURIComponent(agent.id)}`} aria-label={t('agents.editNamed', { name: agent.name })}>
                        {t('agents.edit')}
                      </Link>
                      {agent.source === 'database' && (
                        <button type="button" className="button small danger" onClick={() => setDeleting(agent)}>
                          {agent.overrides_file ? t('agents.revert') : tc('common.delete')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {access && groups.data && (
        <AccessDialog agent={access} groups={groups.data} onClose={() => setAccess(null)} onSaved={(result) => accessSaved(access, result)} />
      )}
      {presets && <SharedPresetsDialog agent={presets} onClose={() => setPresets(null)} />}
      {deleting && (
        <ConfirmDialog
          title={deleting.overrides_file ? t('agents.revertTitle') : t('agents.deleteTitle')}
          body={deleting.overrides_file ? t('agents.revertBody', { name: deleting.name }) : t('agents.deleteBody', { name: deleting.name })}
          confirmLabel={deleting.overrides_file ? t('agents.revert') : tc('common.delete')}
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const agent = deleting;
            setDeleting(null);
            void act(agent.id, async () => {
              await adminApi.deleteAgent(agent.id);
              return t('agents.deleted', { name: agent.name });
            });
          }}
        />
      )}
    </section>
  );
}

/** "Everyone", or the groups the agent is restricted to; a dash while (or when not) known. */
function AccessSummary({ groups }: { groups: Group[] | undefined }) {
  const { t } = useTranslation('admin');
  if (!groups) return <span className="hint">—</span>;
  if (groups.length === 0) return <span data-restricted="false">{t('agents.everyone')}</span>;
  return (
    <span className="chips" data-restricted="true">
      {groups.map((g) => (
        <span key={g.id} className="chip">
          {g.name}
        </span>
      ))}
    </span>
  );
}

function TestResult({ result }: { result: ConnectionTest | 'running' | undefined }) {
  const { t, i18n } = useTranslation('admin');
  if (result === undefined) return <span className="hint">—</span>;
  if (result === 'running') return <span className="hint">{t('agents.testing')}</span>;
  const ms = formatNumber(Math.round(result.latency_ms), i18n.language);
  if (result.ok) {
    return (
      <span data-testid="test-result" data-ok="true">
        <StatusBadge tone="ok">{t('agents.testOk', { ms })}</StatusBadge>
      </span>
    );
  }
  const failure = result.error;
  const status = failure?.status ? `${failure.status} ` : '';
  return (
    <span data-testid="test-result" data-ok="false">
      <StatusBadge tone="bad">{t('agents.testFailed', { ms })}</StatusBadge>
      <span className="test-error">
        {status}
        {failure?.code ? `${failure.code}: ` : ''}
        {failure?.message}
      </span>
    </span>
  );
}
