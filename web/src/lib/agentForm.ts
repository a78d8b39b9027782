// The admin's agent form: its fields as text, the definition they make, the checks the
// server makes (src/agents/validate.rs) done before sending, and the server's 422 messages
// put back on their fields.
import { ApiError, type AgentDefinition, type Capability, type ProviderKind, type Role } from '../api';

export const PROVIDERS: ProviderKind[] = ['openai', 'anthropic', 'fastgpt', 'dify', 'demo'];
export const CAPABILITIES: Capability[] = ['vision', 'reasoning', 'files', 'tools'];
export const ROLES: Role[] = ['user', 'admin'];

/** What the server masks a stored key with. */
const MASK = '********';

export interface AgentForm {
  id: string;
  name: string;
  description: string;
  avatar: string;
  welcome: string;
  /** One question per line. */
  suggestedQuestions: string;
  systemPrompt: string;
  temperature: string;
  maxTokens: string;
  contextWindow: string;
  capabilities: Capability[];
  visibleTo: Role[];
  enabled: boolean;
  /** Agent ids, separated by commas. */
  fallbacks: string;
  requestsPerMinute: string;
  tokensPerMinute: string;
  provider: ProviderKind;
  baseUrl: string;
  /** Write-only: empty keeps the key in force. */
  apiKey: string;
  model: string;
  appId: string;
  /** `Name: value`, one per line. */
  headers: string;
  connectTimeout: string;
  idleTimeout: string;
  maxRetries: string;
  charsPerSecond: string;
}

/** What the form was opened on, for the checks that depend on it. */
export interface FormOrigin {
  /** Editing an existing agent (its id cannot change). */
  editing: boolean;
  /** A key is stored for it. */
  hasKey: boolean;
  /** The base URL in force: the server keeps a stored key only for the same URL. */
  baseUrl: string;
}

export const NEW_AGENT: FormOrigin = { editing: false, hasKey: false, baseUrl: '' };

/** Form fields → the server's field path, for messages on the right field. */
export const FIELD_PATHS: Record<string, keyof AgentForm> = {
  id: 'id',
  name: 'name',
  temperature: 'temperature',
  max_tokens: 'maxTokens',
  context_window: 'contextWindow',
  visible_to: 'visibleTo',
  fallbacks: 'fallbacks',
  provider: 'baseUrl',
  'provider.base_url': 'baseUrl',
  'provider.model': 'model',
  'provider.api_key': 'apiKey',
  'provider.app_id': 'appId',
  'provider.headers': 'headers',
  'provider.connect_timeout': 'connectTimeout',
  'provider.idle_timeout': 'idleTimeout',
  'provider.max_retries': 'maxRetries',
  'provider.chars_per_second': 'charsPerSecond',
};

export function emptyForm(provider: ProviderKind = 'openai'): AgentForm {
  return {
    id: '',
    name: '',
    description: '',
    avatar: '',
    welcome: '',
    suggestedQuestions: '',
    systemPrompt: '',
    temperature: '',
    maxTokens: '',
    contextWindow: '',
    capabilities: [],
    visibleTo: ['user', 'admin'],
    enabled: true,
    fallbacks: '',
    requestsPerMinute: '',
    tokensPerMinute: '',
    provider,
    baseUrl: '',
    apiKey: '',
    model: '',
    appId: '',
    headers: '',
    connectTimeout: '',
    idleTimeout: '',
    maxRetries: '',
    charsPerSecond: '',
  };
}

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/** The form for an agent's definition. The key is never put in the form. */
export function formFromDefinition(def: AgentDefinition): { form: AgentForm; origin: FormOrigin } {
  const provider = def.provider;
  const form: AgentForm = {
    ...emptyForm(provider.type),
    id: def.id,
    name: def.name,
    description: def.description ?? '',
    avatar: def.avatar ?? '',
    welcome: def.welcome ?? '',
    suggestedQuestions: (def.suggested_questions ?? []).join('\n'),
    systemPrompt: def.system_prompt ?? '',
    temperature: text(def.temperature),
    maxTokens: text(def.max_tokens),
    contextWindow: text(def.context_window),
    capabilities: def.capabilities ?? [],
    visibleTo: def.visible_to ?? ['user', 'admin'],
    enabled: def.enabled ?? true,
    fallbacks: (def.fallbacks ?? []).join(', '),
    requestsPerMinute: text(def.limits?.requests_per_minute),
    tokensPerMinute: text(def.limits?.tokens_per_minute),
  };
  if (provider.type === 'demo') {
    form.charsPerSecond = text(provider.chars_per_second);
    return { form, origin: { editing: true, hasKey: false, baseUrl: '' } };
  }
  form.baseUrl = provider.base_url;
  form.model = provider.model ?? '';
  form.appId = provider.app_id ?? '';
  form.headers = Object.entries(provider.headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  form.connectTimeout = provider.connect_timeout ?? '';
  form.idleTimeout = provider.idle_timeout ?? '';
  form.maxRetries = text(provider.max_retries);
  const hasKey = provider.api_key !== null && provider.api_key !== undefined && provider.api_key !== '';
  return { form, origin: { editing: true, hasKey, baseUrl: provider.base_url } };
}

export type FieldErrors = Partial<Record<keyof AgentForm, string>>;
/** Client-side findings, as i18n keys under `admin:agents.errors`. */
export type ErrorKey =
  | 'id'
  | 'name'
  | 'temperature'
  | 'positive'
  | 'integer'
  | 'visibleTo'
  | 'baseUrl'
  | 'model'
  | 'keyAgain'
  | 'fallbackSelf'
  | 'headers'
  | 'duration';

const ID = /^[a-z0-9._-]{1,64}$/;
// humantime's forms: `10s`, `1m 30s`, `500ms`.
const DURATION = /^\s*(\d+\s*(ms|msec|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours)\s*)+$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const isWholeNumber = (value: string) => /^\d+$/.test(value.trim());

/** The checks the server makes on one agent, plus the key rule of an edit. */
export function validateForm(form: AgentForm, origin: FormOrigin = NEW_AGENT): Partial<Record<keyof AgentForm, ErrorKey>> {
  const errors: Partial<Record<keyof AgentForm, ErrorKey>> = {};
  if (!ID.test(form.id)) errors.id = 'id';
  if (form.name.trim() === '') errors.name = 'name';
  if (form.temperature.trim() !== '') {
    const value = Number(form.temperature);
    if (!Number.isFinite(value) || value < 0 || value > 2) errors.temperature = 'temperature';
  }
  for (const field of ['maxTokens', 'contextWindow', 'requestsPerMinute', 'tokensPerMinute', 'charsPerSecond'] as const) {
    const value = form[field].trim();
    if (value === '') continue;
    if (!isWholeNumber(value)) errors[field] = 'integer';
    else if (Number(value) < 1) errors[field] = 'positive';
  }
  if (form.visibleTo.length === 0) errors.visibleTo = 'visibleTo';
  if (fallbackList(form).includes(form.id)) errors.fallbacks = 'fallbackSelf';
  if (form.provider === 'demo') return errors;

  if (!isHttpUrl(form.baseUrl.trim())) errors.baseUrl = 'baseUrl';
  if ((form.provider === 'openai' || form.provider === 'anthropic') && form.model.trim() === '') errors.model = 'model';
  if (form.maxRetries.trim() !== '' && !isWholeNumber(form.maxRetries)) errors.maxRetries = 'integer';
  for (const field of ['connectTimeout', 'idleTimeout'] as const) {
    if (form[field].trim() !== '' && !DURATION.test(form[field])) errors[field] = 'duration';
  }
  if (parseHeaders(form.headers) === null) errors.headers = 'headers';
  // The server keeps a stored key only while the base URL stays the same.
  if (origin.hasKey && form.apiKey === '' && form.baseUrl.trim() !== origin.baseUrl) errors.apiKey = 'keyAgain';
  return errors;
}

function fallbackList(form: AgentForm): string[] {
  return form.fallbacks
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `Name: value` lines → a map; null when a line has no colon or no name. */
export function parseHeaders(lines: string): Record<string, string> | null {
  const headers: Record<string, string> = {};
  for (const line of lines.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

const optional = (value: string) => (value.trim() === '' ? null : value.trim());
const optionalNumber = (value: string) => (value.trim() === '' ? null : Number(value));

/** The definition the form describes. An empty key field sends no key: the server keeps its own. */
export function definitionFromForm(form: AgentForm): AgentDefinition {
  const limits =
    form.requestsPerMinute.trim() !== '' || form.tokensPerMinute.trim() !== ''
      ? { requests_per_minute: optionalNumber(form.requestsPerMinute), tokens_per_minute: optionalNumber(form.tokensPerMinute) }
      : null;
  const provider: AgentDefinition['provider'] =
    form.provider === 'demo'
      ? { type: 'demo', chars_per_second: optionalNumber(form.charsPerSecond) }
      : {
          type: form.provider,
          base_url: form.baseUrl.trim(),
          ...(form.apiKey !== '' && form.apiKey !== MASK ? { api_key: form.apiKey } : {}),
          model: optional(form.model),
          app_id: optional(form.appId),
          headers: parseHeaders(form.headers) ?? {},
          connect_timeout: optional(form.connectTimeout),
          idle_timeout: optional(form.idleTimeout),
          max_retries: optionalNumber(form.maxRetries),
        };
  return {
    id: form.id.trim(),
    name: form.name.trim(),
    description: form.description.trim(),
    avatar: optional(form.avatar),
    welcome: optional(form.welcome),
    suggested_questions: form.suggestedQuestions
      .split('\n')
      .map((q) => q.trim())
      .filter(Boolean),
    provider,
    system_prompt: optional(form.systemPrompt),
    temperature: optionalNumber(form.temperature),
    max_tokens: optionalNumber(form.maxTokens),
    context_window: optionalNumber(form.contextWindow),
    capabilities: form.capabilities,
    limits,
    fallbacks: fallbackList(form),
    visible_to: form.visibleTo,
    enabled: form.enabled,
  };
}

/**
 * A refused save, split into messages for fields of this agent and the rest (problems of
 * other agents, conflicts, anything without a field we show).
 */
export function serverErrors(error: unknown, agentId: string): { fields: FieldErrors; general: string[] } {
  const fields: FieldErrors = {};
  const general: string[] = [];
  if (!(error instanceof ApiError) || error.status !== 422) {
    general.push(error instanceof Error ? error.message : String(error));
    return { fields, general };
  }
  // `Error::Invalid` reads "field: message"; a whole-set report is "agent: <report>", one
  // problem per line ("agent <id>: <field>: <message>").
  const body = error.message.replace(/^agents?: (?=agent |[a-z_.]+: )/, '');
  for (const line of body.split('\n').filter((l) => l.trim() !== '')) {
    const own = line.match(/^agent (\S+): (.*)$/);
    if (own && own[1] !== agentId) {
      general.push(line);
      continue;
    }
    const rest = own?.[2] ?? line;
    const match = rest.match(/^([a-z_]+(?:\.[a-z_]+)*(?:\.[A-Za-z0-9_-]+)?): (.*)$/s);
    // `provider.headers.<Name>` names one header of the headers field.
    const path = match?.[1]?.replace(/^provider\.headers\..+$/, 'provider.headers');
    const field = path ? FIELD_PATHS[path] : undefined;
    const message = match?.[2];
    if (field && message) fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
    else general.push(rest);
  }
  return { fields, general };
}

/** Providers whose models the server can list (`POST /api/admin/agents/models`). */
export const LISTS_MODELS: ProviderKind[] = ['openai', 'anthropic'];

/**
 * What to ask for the provider's model list: the provider as the form describes it, and the
 * agent's id when a stored key may stand in for an empty key field (same base URL only).
 */
export function modelsRequest(form: AgentForm, origin: FormOrigin): { provider: AgentDefinition['provider']; agentId?: string } {
  const { provider } = definitionFromForm(form);
  const storedKeyApplies = origin.editing && origin.hasKey && form.apiKey === '' && form.baseUrl.trim() === origin.baseUrl;
  return storedKeyApplies ? { provider, agentId: form.id } : { provider };
}

/** The models whose id or name contains `query` (any case), at most `limit`. */
export function filterModels<T extends { id: string; name?: string | null }>(items: T[], query: string, limit = 100): T[] {
  const q = query.trim().toLowerCase();
  const found = q === '' ? items : items.filter((m) => m.id.toLowerCase().includes(q) || (m.name ?? '').toLowerCase().includes(q));
  return found.slice(0, limit);
}
