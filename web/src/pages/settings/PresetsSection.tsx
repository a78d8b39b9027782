// Prompt presets: texts the composer is filled with. The user's own (for one agent or any)
// are created, edited and deleted here; admins' shared ones are listed, and only admins
// change them (their agent is managed in the admin console).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isAbort, presetsApi, type Agent, type Preset } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PresetContentField, PresetTitleField } from '../../components/PresetFields';
import { describeError, fieldError } from '../../lib/errors';
import { byTitle } from '../../lib/presets';
import { useAgents } from '../../stores/agents';
import { useAuth } from '../../stores/auth';

const FIELDS = ['title', 'content', 'agent_id'] as const;
type Field = (typeof FIELDS)[number];

export function PresetsSection() {
  const { t } = useTranslation();
  const { agents, loaded, load: loadAgents } = useAgents();
  const isAdmin = useAuth((s) => s.user?.role === 'admin');
  const [presets, setPresets] = useState<Preset[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The preset being edited in the form; null: the form creates one.
  const [editing, setEditing] = useState<Preset | null>(null);
  const [deleting, setDeleting] = useState<Preset | null>(null);
  const [formKey, setFormKey] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    presetsApi.listPresets(null, controller.signal).then(
      (list) => setPresets(list.items),
      (e: unknown) => !isAbort(e) && !controller.signal.aborted && setError(describeError(t, e)),
    );
    return () => controller.abort();
  }, [t]);
  useEffect(() => {
    if (!loaded) void loadAgents();
  }, [loaded, loadAgents]);

  function saved(preset: Preset, created: boolean) {
    setPresets((list) => byTitle([...(list ?? []).filter((p) => p.id !== preset.id), preset]));
    setNotice(t(created ? 'settings.presets.created' : 'settings.presets.updated', { title: preset.title }));
    setEditing(null);
    setFormKey((k) => k + 1);
  }

  async function remove(preset: Preset) {
    setDeleting(null);
    setError(null);
    setNotice(null);
    try {
      await presetsApi.deletePreset(preset.id);
      setPresets((list) => (list ?? []).filter((p) => p.id !== preset.id));
      if (editing?.id === preset.id) {
        setEditing(null);
        setFormKey((k) => k + 1);
      }
      setNotice(t('settings.presets.deleted', { title: preset.title }));
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  const agentName = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  return (
    <section className="card" id="presets" aria-labelledby="settings-presets" data-testid="presets-section">
      <h2 id="settings-presets">{t('settings.presets.title')}</h2>
      <p className="hint">{t('settings.presets.intro')}</p>
      <PresetForm
        key={editing ? `edit-${editing.id}` : `new-${formKey}`}
        editing={editing}
        agents={agents}
        onSaved={saved}
        onCancel={() => setEditing(null)}
      />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="form-ok" role="status" data-testid="presets-notice">
          {notice}
        </p>
      )}
      {presets && presets.length === 0 && (
        <p className="hint" data-testid="presets-empty">
          {t('settings.presets.empty')}
        </p>
      )}
      {presets && presets.length > 0 && (
        <ul className="preset-list" aria-label={t('settings.presets.title')} data-testid="presets-list">
          {presets.map((preset) => {
            const changeable = !preset.shared || isAdmin;
            return (
              <li key={preset.id} className="preset-item" data-testid="preset-row" data-id={preset.id} data-shared={preset.shared}>
                <div className="preset-text">
                  <span className="preset-title">
                    <strong data-testid="preset-title">{preset.title}</strong>
                    {preset.shared && (
                      <span className="badge" title={t('settings.presets.sharedTitle')} data-testid="preset-shared">
                        {t('settings.presets.shared')}
                      </span>
                    )}
                  </span>
                  <span className="hint" data-testid="preset-agent">
                    {preset.agent_id ? agentName(preset.agent_id) : t('settings.presets.anyAgent')}
                  </span>
                  <span className="preset-content">{preset.content}</span>
                </div>
                {changeable ? (
                  <span className="share-link-actions">
                    <button
                      type="button"
                      className="button small"
                      onClick={() => {
                        setNotice(null);
                        setEditing(preset);
                      }}
                      aria-label={t('settings.presets.editNamed', { title: preset.title })}
                      data-testid="preset-edit"
                    >
                      {t('settings.presets.edit')}
                    </button>
                    <button
                      type="button"
                      className="button small danger"
                      onClick={() => setDeleting(preset)}
                      aria-label={t('settings.presets.deleteNamed', { title: preset.title })}
                      data-testid="preset-delete"
                    >
                      {t('common.delete')}
                    </button>
                  </span>
                ) : (
                  <span className="hint">{t('settings.presets.byAdmin')}</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('settings.presets.deleteTitle')}
          body={t('settings.presets.deleteBody', { title: deleting.title })}
          confirmLabel={t('common.delete')}
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => void remove(deleting)}
        />
      )}
    </section>
  );
}

/** Creates a preset, or edits one's title and text (the server does not move a preset to another agent). */
function PresetForm({ editing, agents, onSaved, onCancel }: {
  editing: Preset | null;
  agents: Agent[];
  onSaved: (preset: Preset, created: boolean) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(editing?.title ?? '');
  const [content, setContent] = useState(editing?.content ?? '');
  const [agent, setAgent] = useState(editing?.agent_id ?? '');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const agentId = useId();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) first.current?.focus();
  }, [editing]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      if (editing) {
        onSaved(await presetsApi.updatePreset(editing.id, { title: title.trim(), content: content.trim() }), false);
      } else {
        onSaved(await presetsApi.createPreset({ title: title.trim(), content: content.trim(), ...(agent ? { agent_id: agent } : {}) }), true);
      }
    } catch (e) {
      const found = fieldError(e, FIELDS);
      if (found) setErrors({ [found.field]: found.message });
      else setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  // An agent the picker does not list (no longer available): still named.
  const listed = !agent || agents.some((a) => a.id === agent);
  return (
    <form
      className="form wide-form preset-form"
      onSubmit={submit}
      aria-label={editing ? t('settings.presets.editTitle', { title: editing.title }) : t('settings.presets.new')}
      data-testid="preset-form"
      data-mode={editing ? 'edit' : 'new'}
    >
      <h3>{editing ? t('settings.presets.editTitle', { title: editing.title }) : t('settings.presets.new')}</h3>
      <div className="field-row">
        <PresetTitleField ref={first} label={t('settings.presets.name')} value={title} onChange={setTitle} error={errors.title} testId="preset-title-input" />
        <div className={`field${errors.agent_id ? ' invalid' : ''}`}>
          <label htmlFor={agentId}>{t('settings.presets.agent')}</label>
          <select
            id={agentId}
            value={agent}
            onChange={(e) => setAgent(e.target.value)}
            disabled={!!editing}
            aria-invalid={errors.agent_id ? true : undefined}
            aria-describedby={errors.agent_id ? `${agentId}-error` : editing ? `${agentId}-hint` : undefined}
            data-testid="preset-agent-select"
          >
            <option value="">{t('settings.presets.anyAgent')}</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
            {!listed && <option value={agent}>{agent}</option>}
          </select>
          {editing && (
            <span className="hint" id={`${agentId}-hint`}>
              {t('settings.presets.agentFixed')}
            </span>
          )}
          {errors.agent_id && (
            <span className="form-error" id={`${agentId}-error`} role="alert" data-testid="field-error">
              {errors.agent_id}
            </span>
          )}
        </div>
      </div>
      <PresetContentField label={t('settings.presets.content')} value={content} onChange={setContent} error={errors.content} testId="preset-content-input" />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !title.trim() || !content.trim()} data-testid="preset-save">
          {editing ? t('settings.presets.saveChanges') : t('settings.presets.create')}
        </button>
        {editing && (
          <button type="button" className="button ghost" onClick={onCancel} data-testid="preset-cancel">
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
