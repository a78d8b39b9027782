// API keys: create one (name, expiry, the agents it may use and, for admins, whether it may use
// the admin API), see it once with the code to use it, list and revoke (one, or all at once).
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { keysApi, type ApiKey, type CreatedApiKey, type KeyScope } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyField } from '../../components/CopyField';
import { TableHead } from '../../components/TableHead';
import { expiryFrom, keySnippets, type ExpiryChoice } from '../../lib/apiKeys';
import { describeError } from '../../lib/errors';
import { formatDate } from '../../lib/time';
import { useAgents } from '../../stores/agents';
import { useAuth } from '../../stores/auth';

const EXPIRIES: ExpiryChoice[] = ['never', '30', '90', 'date'];
const SCOPES: KeyScope[] = ['chat', 'admin'];

export function KeysSection() {
  const { t, i18n } = useTranslation();
  const { agents, loaded, load: loadAgents } = useAgents();
  const isAdmin = useAuth((s) => s.user?.role === 'admin');
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [date, setDate] = useState('');
  const [limited, setLimited] = useState(false);
  const [allowed, setAllowed] = useState<string[]>([]);
  const [scope, setScope] = useState<KeyScope>('chat');
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revokingAll, setRevokingAll] = useState(false);
  const ids = { name: useId(), expiry: useId(), date: useId(), agents: useId(), scope: useId() };

  const reload = useCallback(
    () =>
      keysApi
        .listKeys()
        .then((page) => setKeys(page.items))
        .catch((e) => setError(describeError(t, e))),
    [t],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  useEffect(() => {
    if (!loaded) void loadAgents();
  }, [loaded, loadAgents]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const expiresAt = expiryFrom(expiry, date);
    if (expiresAt === undefined) return setFormError(t('settings.expiryDateError'));
    if (limited && allowed.length === 0) return setFormError(t('settings.agentsError'));
    setFormError(null);
    try {
      const key = await keysApi.createKey({
        name: name.trim(),
        ...(expiresAt ? { expires_at: expiresAt } : {}),
        ...(limited ? { allowed_agents: allowed } : {}),
        // Only admins choose; everyone else gets the server's default, `["chat"]`.
        ...(isAdmin && scope === 'admin' ? { scopes: ['admin' as const] } : {}),
      });
      setCreated(key);
      setName('');
      setScope('chat');
      setKeys((list) => [key, ...(list ?? [])]);
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  async function revoke(key: ApiKey) {
    setRevoking(null);
    try {
      await keysApi.revokeKey(key.id);
      setKeys((list) => (list ?? []).filter((k) => k.id !== key.id));
      if (created?.id === key.id) setCreated(null);
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  async function revokeAll() {
    setRevokingAll(false);
    setError(null);
    setNotice(null);
    try {
      const { revoked } = await keysApi.revokeAllKeys();
      setCreated(null);
      setNotice(t('settings.revokedAll', { count: revoked }));
      await reload();
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  const agentName = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  return (
    <section className="card" aria-labelledby="settings-keys">
      <h2 id="settings-keys">{t('settings.keys')}</h2>
      <p className="hint">{t('settings.keysIntro')}</p>
      <form className="form key-form" onSubmit={create} data-testid="key-form">
        <div className="field">
          <label htmlFor={ids.name}>{t('settings.keyName')}</label>
          <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required data-testid="key-name" />
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={ids.expiry}>{t('settings.expires')}</label>
            <select id={ids.expiry} value={expiry} onChange={(e) => setExpiry(e.target.value as ExpiryChoice)} data-testid="key-expiry">
              {EXPIRIES.map((e) => (
                <option key={e} value={e}>
                  {t(`settings.expiry.${e}`)}
                </option>
              ))}
            </select>
          </div>
          {expiry === 'date' && (
            <div className="field">
              <label htmlFor={ids.date}>{t('settings.expiryDate')}</label>
              <input id={ids.date} type="date" value={date} onChange={(e) => setDate(e.target.value)} required data-testid="key-expiry-date" />
            </div>
          )}
        </div>
        <fieldset className="checkboxes">
          <legend>{t('settings.keyAgents')}</legend>
          <label className="check">
            <input type="radio" name={ids.agents} checked={!limited} onChange={() => setLimited(false)} data-testid="key-agents-all" />
            {t('settings.allAgents')}
          </label>
          <label className="check">
            <input type="radio" name={ids.agents} checked={limited} onChange={() => setLimited(true)} data-testid="key-agents-some" />
            {t('settings.someAgents')}
          </label>
          {limited && (
            <div className="check-list" data-testid="key-agent-list">
              {agents.map((a) => (
                <label key={a.id} className="check">
                  <input
                    type="checkbox"
                    checked={allowed.includes(a.id)}
                    onChange={(e) => setAllowed(e.target.checked ? [...allowed, a.id] : allowed.filter((id) => id !== a.id))}
                    data-testid="key-agent"
                    data-agent={a.id}
                  />
                  {a.name} <code className="hint">{a.id}</code>
                </label>
              ))}
            </div>
          )}
        </fieldset>
        {isAdmin && (
          <fieldset className="checkboxes" data-testid="key-scope">
            <legend>{t('settings.keyScope')}</legend>
            {SCOPES.map((s) => (
              <label key={s} className="check">
                <input type="radio" name={ids.scope} checked={scope === s} onChange={() => setScope(s)} data-testid={`key-scope-${s}`} />
                {t(`settings.scopes.${s}`)}
              </label>
            ))}
            <p className="hint">{t('settings.adminScopeHint')}</p>
          </fieldset>
        )}
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        <div>
          <button type="submit" className="button primary" data-testid="create-key">
            {t('settings.createKey')}
          </button>
        </div>
      </form>
      {created && <NewKey created={created} agents={agents.map((a) => a.id)} />}
      {error && <p className="form-error" role="alert">{error}</p>}
      {notice && (
        <p className="form-ok" role="status" data-testid="keys-notice">
          {notice}
        </p>
      )}
      {keys && keys.length === 0 && <p className="hint">{t('settings.noKeys')}</p>}
      {keys && keys.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="keys-table">
            <TableHead
              columns={[t('settings.keyName'), t('settings.prefix'), t('settings.keyAgents'), t('settings.created'), t('settings.expires'), t('settings.lastUsed')]}
              actions={t('settings.revoke')}
            />
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} data-testid="key-row">
                  <td>
                    {key.name}
                    {key.scopes?.includes('admin') && (
                      <span className="badge" title={t('settings.adminBadgeTitle')} data-testid="key-admin-badge">
                        {t('settings.adminBadge')}
                      </span>
                    )}
                  </td>
                  <td><code>{key.prefix}…</code></td>
                  <td>{key.allowed_agents?.length ? key.allowed_agents.map(agentName).join(', ') : t('settings.allAgents')}</td>
                  <td>{formatDate(key.created_at, i18n.language)}</td>
                  <td>{key.expires_at ? formatDate(key.expires_at, i18n.language) : t('common.never')}</td>
                  <td>{key.last_used_at ? formatDate(key.last_used_at, i18n.language) : t('common.never')}</td>
                  <td>
                    <button type="button" className="button small danger" onClick={() => setRevoking(key)}>
                      {t('settings.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {keys && keys.length > 0 && (
        <div className="danger-zone">
          <p className="hint">{t('settings.revokeAllHint')}</p>
          <button type="button" className="button danger" onClick={() => setRevokingAll(true)} data-testid="revoke-all-keys">
            {t('settings.revokeAll')}
          </button>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('settings.revokeTitle')}
          body={t('settings.revokeBody', { name: revoking.name })}
          confirmLabel={t('settings.revoke')}
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        />
      )}
      {revokingAll && (
        <ConfirmDialog
          title={t('settings.revokeAllTitle')}
          body={t('settings.revokeAllBody')}
          confirmLabel={t('settings.revokeAll')}
          danger
          onCancel={() => setRevokingAll(false)}
          onConfirm={() => void revokeAll()}
        />
      )}
    </section>
  );
}

/** The key, shown this once, and how to use it: the base URL, a curl command, Python code. */
function NewKey({ created, agents }: { created: CreatedApiKey; agents: string[] }) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'curl' | 'python'>('curl');
  const baseUrl = `${window.location.origin}/v1`;
  const model = created.allowed_agents?.[0] ?? agents[0] ?? 'demo';
  const snippets = keySnippets(baseUrl, created.key, model);
  return (
    <div className="new-key" role="status" data-testid="new-key">
      <p>{t('settings.keyCreated')}</p>
      <CopyField value={created.key} testId="new-key-value" />
      <dl className="facts">
        <dt>{t('settings.baseUrl')}</dt>
        <dd>
          <code data-testid="new-key-base-url">{baseUrl}</code>
        </dd>
        <dt>{t('settings.model')}</dt>
        <dd>
          <code>{model}</code> <span className="hint">{t('settings.modelHint')}</span>
        </dd>
      </dl>
      <div className="segmented" role="tablist" aria-label={t('settings.snippet')}>
        {(['curl', 'python'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} className={`button small${tab === k ? ' primary' : ' ghost'}`} onClick={() => setTab(k)} data-testid={`snippet-${k}`}>
            {k === 'curl' ? 'curl' : 'Python (openai)'}
          </button>
        ))}
      </div>
      <CopyField value={snippets[tab]} multiline testId="key-snippet" />
    </div>
  );
}
