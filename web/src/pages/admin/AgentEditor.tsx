// Creating or editing an agent: every field of the definition for each provider type, checked
// as the server checks it before sending, the server's refusals shown on their fields. The
// provider key is write-only: never shown, and an empty field keeps the stored one.
import { cloneElement, isValidElement, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi, type Capability, type ConnectionTest, type ProviderKind, type Role, type AdminAgent } from '../../api';
import {
  CAPABILITIES,
  definitionFromForm,
  emptyForm,
  formFromDefinition,
  LISTS_MODELS,
  NEW_AGENT,
  PROVIDERS,
  ROLES,
  serverErrors,
  validateForm,
  type AgentForm,
  type FieldErrors,
  type FormOrigin,
} from '../../lib/agentForm';
import { describeError } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { useAgents } from '../../stores/agents';
import { ModelField } from './ModelField';
import { LoadError, Loading, PageTitle } from './shared';
import { useLoad } from './useLoad';

export default function AgentEditor() {
  const { id } = useParams();
  const existing = useLoad(() => (id ? adminApi.getAgent(id) : Promise.resolve(null)), id ?? '');
  if (existing.error) return <LoadError error={existing.error} onRetry={existing.reload} />;
  if (existing.loading) return <Loading />;
  const agent = existing.data;
  const start = agent ? formFromDefinition(agent.definition) : { form: emptyForm(), origin: NEW_AGENT };
  return <Editor key={id ?? 'new'} initial={start.form} origin={start.origin} fileAgent={agent?.source === 'file' || agent?.source === 'builtin'} />;
}

/** A save whose connection test failed: the agent is stored disabled. */
interface FailedSave {
  agent: AdminAgent;
  test: ConnectionTest;
}

function Editor({ initial, origin: initialOrigin, fileAgent }: { initial: AgentForm; origin: FormOrigin; fileAgent: boolean }) {
  const { t, i18n } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const navigate = useNavigate();
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  // After a first save the agent exists: later saves replace it.
  const [origin, setOrigin] = useState(initialOrigin);
  const [failedSave, setFailedSave] = useState<FailedSave | null>(null);
  const [forceError, setForceError] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const set = <K extends keyof AgentForm>(key: K, value: AgentForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const upstream = form.provider !== 'demo';

  // After a refused submit, the first field in error takes the focus.
  const [focusRun, setFocusRun] = useState(0);
  useEffect(() => {
    if (focusRun > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid=true]')?.focus();
  }, [focusRun]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateForm(form, origin);
    const messages: FieldErrors = {};
    for (const [field, key] of Object.entries(found)) messages[field as keyof AgentForm] = t(`form.errors.${key}`);
    setErrors(messages);
    setGeneral([]);
    if (Object.keys(messages).length > 0) {
      setFocusRun((n) => n + 1);
      return;
    }
    setSaving(true);
    setFailedSave(null);
    setForceError(null);
    try {
      const definition = definitionFromForm(form);
      const saved = origin.editing ? await adminApi.updateAgent(form.id, definition) : await adminApi.createAgent(definition);
      useAgents.setState({ loaded: false });
      const test = saved.connection_test;
      if (test && !test.ok) {
        // Stored, but disabled: say so here, and offer to enable it anyway.
        setOrigin({ editing: true, hasKey: origin.hasKey || form.apiKey !== '', baseUrl: form.baseUrl.trim() });
        setFailedSave({ agent: saved, test });
        return;
      }
      done(saved, t(origin.editing ? 'form.saved' : 'form.created', { name: saved.name }));
    } catch (error) {
      const found = serverErrors(error, form.id);
      setErrors(found.fields);
      setGeneral(found.general.length > 0 || Object.keys(found.fields).length > 0 ? found.general : [String(error)]);
      setFocusRun((n) => n + 1);
    } finally {
      setSaving(false);
    }
  }

  /** Back to the list, with what happened (and the connection test, when one ran). */
  function done(saved: AdminAgent, text: string) {
    const test = saved.connection_test;
    const tested = test?.ok ? ` ${t('form.testPassed', { ms: formatNumber(Math.round(test.latency_ms), i18n.language) })}` : '';
    navigate('/admin/agents', { state: { notice: { ok: true, text: text + tested } } });
  }

  /** Stores the form as sent, enabled, although its connection test failed. */
  async function enableAnyway() {
    setSaving(true);
    setForceError(null);
    try {
      const saved = await adminApi.updateAgent(form.id, { ...definitionFromForm(form), enabled: true }, true);
      useAgents.setState({ loaded: false });
      navigate('/admin/agents', { state: { notice: { ok: true, text: t('form.enabledAnyway', { name: saved.name }) } } });
    } catch (error) {
      setForceError(describeError(tc, error));
    } finally {
      setSaving(false);
    }
  }

  const field = (key: keyof AgentForm) => ({ error: errors[key], id: `agent-${key}` });
  const text = (key: keyof AgentForm) => ({
    value: form[key] as string,
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
  });

  return (
    <section aria-labelledby="admin-page-title" data-testid="agent-editor">
      <PageTitle title={origin.editing ? t('form.editTitle', { id: form.id }) : t('form.newTitle')}>
        {fileAgent && <p className="hint">{t('form.fileAgent')}</p>}
      </PageTitle>
      <form ref={formRef} className="form agent-form" onSubmit={submit} noValidate>
        {general.length > 0 && (
          <div className="banner error" role="alert" data-testid="agent-form-error">
            <div>
              <span>{t('form.refused')}</span>
              <ul className="problems">
                {general.map((g) => (
                  <li key={g}>{g}</li>
                ))}
              </ul>
            </div>
          </div>
        )}

        <fieldset className="card">
          <legend>{t('form.identity')}</legend>
          <Field {...field('id')} label={t('form.id')} hint={t('form.idHint')}>
            <input {...text('id')} readOnly={origin.editing} required autoComplete="off" spellCheck={false} data-testid="agent-id" />
          </Field>
          <Field {...field('name')} label={t('form.name')}>
            <input {...text('name')} required data-testid="agent-name" />
          </Field>
          <Field {...field('description')} label={t('form.description')}>
            <input {...text('description')} />
          </Field>
          <Field {...field('avatar')} label={t('form.avatar')} hint={t('form.avatarHint')}>
            <input {...text('avatar')} />
          </Field>
          <Field {...field('welcome')} label={t('form.welcome')}>
            <textarea {...text('welcome')} rows={2} />
          </Field>
          <Field {...field('suggestedQuestions')} label={t('form.suggested')} hint={t('form.onePerLine')}>
            <textarea {...text('suggestedQuestions')} rows={3} />
          </Field>
        </fieldset>

        <fieldset className="card">
          <legend>{t('form.provider')}</legend>
          <Field {...field('provider')} label={t('form.providerType')}>
            <select value={form.provider} onChange={(e) => set('provider', e.target.value as ProviderKind)} data-testid="agent-provider">
              {PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {t(`providers.${p}`)}
                </option>
              ))}
            </select>
          </Field>
          {upstream ? (
            <>
              <Field {...field('baseUrl')} label={t('form.baseUrl')} hint={t(`form.baseUrlHint.${form.provider as Exclude<ProviderKind, 'demo'>}`)}>
                <input {...text('baseUrl')} type="url" required spellCheck={false} data-testid="agent-base-url" />
              </Field>
              <Field {...field('apiKey')} label={t('form.apiKey')} hint={origin.hasKey ? t('form.apiKeyKept') : t('form.apiKeyHint')}>
                <input
                  {...text('apiKey')}
                  type="password"
                  autoComplete="new-password"
                  placeholder={origin.hasKey ? t('form.apiKeyStored') : ''}
                  spellCheck={false}
                  data-testid="agent-api-key"
                />
              </Field>
              {LISTS_MODELS.includes(form.provider) && (
                <Field {...field('model')} label={t('form.model')} hint={t('form.modelHint')}>
                  <ModelField form={form} origin={origin} onChange={(model) => set('model', model)} />
                </Field>
              )}
              {form.provider === 'fastgpt' && (
                <Field {...field('appId')} label={t('form.appId')} hint={t('form.appIdHint')}>
                  <input {...text('appId')} spellCheck={false} />
                </Field>
              )}
              <Field {...field('headers')} label={t('form.headers')} hint={t('form.headersHint')}>
                <textarea {...text('headers')} rows={2} spellCheck={false} />
              </Field>
              <div className="field-row">
                <Field {...field('connectTimeout')} label={t('form.connectTimeout')} hint={t('form.durationHint')}>
                  <input {...text('connectTimeout')} placeholder="10s" />
                </Field>
                <Field {...field('idleTimeout')} label={t('form.idleTimeout')} hint={t('form.durationHint')}>
                  <input {...text('idleTimeout')} placeholder="60s" />
                </Field>
                <Field {...field('maxRetries')} label={t('form.maxRetries')}>
                  <input {...text('maxRetries')} inputMode="numeric" />
                </Field>
              </div>
            </>
          ) : (
            <Field {...field('charsPerSecond')} label={t('form.charsPerSecond')} hint={t('form.demoHint')}>
              <input {...text('charsPerSecond')} inputMode="numeric" placeholder="200" />
            </Field>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>{t('form.behaviour')}</legend>
          <Field {...field('systemPrompt')} label={t('form.systemPrompt')}>
            <textarea {...text('systemPrompt')} rows={4} />
          </Field>
          <div className="field-row">
            <Field {...field('temperature')} label={t('form.temperature')} hint={t('form.temperatureHint')}>
              <input {...text('temperature')} inputMode="decimal" />
            </Field>
            <Field {...field('maxTokens')} label={t('form.maxTokens')}>
              <input {...text('maxTokens')} inputMode="numeric" />
            </Field>
            <Field {...field('contextWindow')} label={t('form.contextWindow')}>
              <input {...text('contextWindow')} inputMode="numeric" />
            </Field>
          </div>
          <Checkboxes
            legend={t('form.capabilities')}
            options={CAPABILITIES.map((c) => ({ value: c, label: t(`capabilities.${c}`) }))}
            value={form.capabilities}
            onChange={(v) => set('capabilities', v as Capability[])}
          />
        </fieldset>

        <fieldset className="card">
          <legend>{t('form.access')}</legend>
          <label className="check">
            <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} data-testid="agent-enabled" />
            {t('form.enabled')}
          </label>
          <Checkboxes
            legend={t('form.visibleTo')}
            options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            value={form.visibleTo}
            onChange={(v) => set('visibleTo', v as Role[])}
            error={errors.visibleTo}
          />
          <div className="field-row">
            <Field {...field('requestsPerMinute')} label={t('form.rpm')}>
              <input {...text('requestsPerMinute')} inputMode="numeric" />
            </Field>
            <Field {...field('tokensPerMinute')} label={t('form.tpm')}>
              <input {...text('tokensPerMinute')} inputMode="numeric" />
            </Field>
          </div>
          <Field {...field('fallbacks')} label={t('form.fallbacks')} hint={t('form.fallbacksHint')}>
            <input {...text('fallbacks')} spellCheck={false} />
          </Field>
        </fieldset>

        {failedSave && (
          <SaveTestFailed failed={failedSave} saving={saving} error={forceError} onEnable={() => void enableAnyway()} />
        )}

        <div className="form-actions">
          <Link to="/admin/agents" className="button ghost">
            {tc('common.cancel')}
          </Link>
          <button type="submit" className="button primary" disabled={saving} data-testid="agent-save">
            {saving ? t('form.saving') : origin.editing ? t('form.save') : t('form.create')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The agent was saved disabled because its connection test failed: why, and "Enable anyway". */
function SaveTestFailed({ failed, saving, error, onEnable }: { failed: FailedSave; saving: boolean; error: string | null; onEnable: () => void }) {
  const { t, i18n } = useTranslation('admin');
  const { test } = failed;
  // The outcome of the save is what the admin needs to read next: bring it into view.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'center' });
    box.current?.focus({ preventScroll: true });
  }, [failed]);
  const ms = formatNumber(Math.round(test.latency_ms), i18n.language);
  return (
    <div ref={box} tabIndex={-1} className="banner warn save-test" role="alert" data-testid="save-test-result" data-ok="false">
      <div>
        <p>
          <strong>{t('form.savedDisabled', { name: failed.agent.name })}</strong>
        </p>
        <p data-testid="save-test-message">{test.error?.message ?? t('agents.testFailed', { ms })}</p>
        {test.url && (
          <p className="hint">
            {t('form.testedUrl')} <code>{test.url}</code> · {t('agents.testFailed', { ms })}
          </p>
        )}
        <p className="hint">{t('form.enableAnywayHint')}</p>
        {error && <p className="form-error">{error}</p>}
        <div className="form-actions">
          <Link to="/admin/agents" className="button ghost">
            {t('form.backToAgents')}
          </Link>
          <button type="button" className="button" onClick={onEnable} disabled={saving} data-testid="enable-anyway">
            {t('form.enableAnyway')}
          </button>
        </div>
      </div>
    </div>
  );
}

/** A labelled control with its hint and error, wired for screen readers. */
function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <Control id={id} described={described} invalid={!!error}>
        {children}
      </Control>
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="form-error" id={errorId} data-testid="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** Puts the id and the ARIA wiring on the one control inside a Field. */
function Control({ id, described, invalid, children }: { id: string; described?: string; invalid: boolean; children: ReactNode }) {
  if (!isValidElement<Record<string, unknown>>(children)) return <>{children}</>;
  return cloneElement(children, { id, 'aria-describedby': described, 'aria-invalid': invalid || undefined });
}

function Checkboxes({ legend, options, value, onChange, error }: {
  legend: string;
  options: { value: string; label: string }[];
  value: string[];
  onChange: (value: string[]) => void;
  error?: string;
}) {
  const errorId = useId();
  return (
    <fieldset className={`checkboxes${error ? ' invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="checkbox"
            checked={value.includes(o.value)}
            aria-invalid={error ? true : undefined}
            onChange={(e) => onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))}
          />
          {o.label}
        </label>
      ))}
      {error && (
        <span className="form-error" id={errorId}>
          {error}
        </span>
      )}
    </fieldset>
  );
}
