import { describe, expect, test } from 'vitest';
import { ApiError, type AgentDefinition } from '../api';
import { definitionFromForm, emptyForm, filterModels, formFromDefinition, modelsRequest, NEW_AGENT, serverErrors, validateForm, type AgentForm } from './agentForm';

const openai = (changes: Partial<AgentForm> = {}): AgentForm => ({
  ...emptyForm('openai'),
  id: 'gpt',
  name: 'GPT',
  baseUrl: 'https://api.example.com/v1',
  model: 'gpt-4o',
  ...changes,
});

describe('agent form validation', () => {
  test('a complete OpenAI-compatible agent passes', () => {
    expect(validateForm(openai())).toEqual({});
  });

  test('ids follow the server rule: lower-case letters, digits, - _ . and at most 64', () => {
    expect(validateForm(openai({ id: 'My Agent' })).id).toBe('id');
    expect(validateForm(openai({ id: '' })).id).toBe('id');
    expect(validateForm(openai({ id: 'a'.repeat(65) })).id).toBe('id');
    expect(validateForm(openai({ id: 'qwen-2.5_max' })).id).toBeUndefined();
  });

  test('temperature must be within 0–2, and 0 is allowed', () => {
    expect(validateForm(openai({ temperature: '2.5' })).temperature).toBe('temperature');
    expect(validateForm(openai({ temperature: 'warm' })).temperature).toBe('temperature');
    expect(validateForm(openai({ temperature: '0' })).temperature).toBeUndefined();
  });

  test('max tokens must be a whole number of at least 1', () => {
    expect(validateForm(openai({ maxTokens: '0' })).maxTokens).toBe('positive');
    expect(validateForm(openai({ maxTokens: '1.5' })).maxTokens).toBe('integer');
  });

  test('OpenAI and Anthropic agents need a model and an http(s) base URL; app providers need no model', () => {
    expect(validateForm(openai({ model: '' })).model).toBe('model');
    expect(validateForm(openai({ provider: 'anthropic', model: ' ' })).model).toBe('model');
    expect(validateForm(openai({ provider: 'fastgpt', model: '' })).model).toBeUndefined();
    expect(validateForm(openai({ baseUrl: 'ftp://files.example.com' })).baseUrl).toBe('baseUrl');
    expect(validateForm(openai({ baseUrl: 'api.example.com' })).baseUrl).toBe('baseUrl');
  });

  test('a demo agent needs no URL, model or key', () => {
    expect(validateForm({ ...emptyForm('demo'), id: 'demo2', name: 'Demo 2' })).toEqual({});
  });

  test('at least one role must see the agent, and it cannot fall back to itself', () => {
    expect(validateForm(openai({ visibleTo: [] })).visibleTo).toBe('visibleTo');
    expect(validateForm(openai({ fallbacks: 'demo, gpt' })).fallbacks).toBe('fallbackSelf');
  });

  test('timeouts are humantime durations and headers are Name: value lines', () => {
    expect(validateForm(openai({ idleTimeout: '1m 30s', connectTimeout: '500ms' }))).toEqual({});
    expect(validateForm(openai({ idleTimeout: 'soon' })).idleTimeout).toBe('duration');
    expect(validateForm(openai({ headers: 'X-Org: acme\nbroken' })).headers).toBe('headers');
  });

  test('editing keeps a stored key only while the base URL stays the same', () => {
    const origin = { editing: true, hasKey: true, baseUrl: 'https://api.example.com/v1' };
    expect(validateForm(openai(), origin).apiKey).toBeUndefined();
    expect(validateForm(openai({ baseUrl: 'https://other.example.com/v1' }), origin).apiKey).toBe('keyAgain');
    expect(validateForm(openai({ baseUrl: 'https://other.example.com/v1', apiKey: 'sk-new' }), origin).apiKey).toBeUndefined();
  });
});

describe('agent definitions', () => {
  const stored: AgentDefinition = {
    id: 'gpt',
    name: 'GPT',
    description: 'General',
    provider: {
      type: 'openai',
      base_url: 'https://api.example.com/v1',
      api_key: '********',
      model: 'gpt-4o',
      headers: { 'X-Org': 'acme' },
      idle_timeout: '1m',
    },
    temperature: 0,
    capabilities: ['vision'],
    fallbacks: ['demo'],
    visible_to: ['user'],
    enabled: false,
  };

  test('the form never holds the stored key, and saving it unchanged sends no key', () => {
    const { form, origin } = formFromDefinition(stored);
    expect(form.apiKey).toBe('');
    expect(origin.hasKey).toBe(true);
    const def = definitionFromForm(form);
    expect(def.provider).not.toHaveProperty('api_key');
  });

  test('a round trip keeps every field', () => {
    const def = definitionFromForm(formFromDefinition(stored).form);
    expect(def).toMatchObject({
      id: 'gpt',
      name: 'GPT',
      temperature: 0,
      capabilities: ['vision'],
      fallbacks: ['demo'],
      visible_to: ['user'],
      enabled: false,
      provider: { type: 'openai', base_url: 'https://api.example.com/v1', model: 'gpt-4o', headers: { 'X-Org': 'acme' }, idle_timeout: '1m' },
    });
  });

  test('a new key typed in is sent', () => {
    const def = definitionFromForm(openai({ apiKey: 'sk-new' }));
    expect(def.provider).toMatchObject({ api_key: 'sk-new' });
  });

  test('a demo agent sends only its typing speed', () => {
    const def = definitionFromForm({ ...emptyForm('demo'), id: 'd', name: 'D', charsPerSecond: '500' });
    expect(def.provider).toEqual({ type: 'demo', chars_per_second: 500 });
  });
});

describe('server errors', () => {
  const invalid = (message: string) => new ApiError(422, 'invalid', message);

  test('a whole-set report puts each problem of this agent on its field', () => {
    const error = invalid(
      'agent: agent gpt: provider.base_url: "x" is not an http(s) URL\nagent gpt: provider.model: is required for this provider type',
    );
    expect(serverErrors(error, 'gpt')).toEqual({
      fields: { baseUrl: '"x" is not an http(s) URL', model: 'is required for this provider type' },
      general: [],
    });
  });

  test('problems of other agents and unknown fields go to the top', () => {
    const error = invalid('agent: agent other: fallbacks: unknown agent "gone"\nagent gpt: limits: odd');
    expect(serverErrors(error, 'gpt')).toEqual({ fields: {}, general: ['agent other: fallbacks: unknown agent "gone"', 'limits: odd'] });
  });

  test('a single-field error lands on that field', () => {
    const error = invalid('provider.api_key: set LLMCHAT_ENCRYPTION_KEY to store provider keys');
    expect(serverErrors(error, 'gpt').fields.apiKey).toBe('set LLMCHAT_ENCRYPTION_KEY to store provider keys');
  });

  test('an error on one header lands on the headers field', () => {
    const error = invalid('provider.headers.X-Team-Token: is masked (********) but there is no current value to keep for this URL: type the value');
    expect(serverErrors(error, 'gpt')).toEqual({
      fields: { headers: 'is masked (********) but there is no current value to keep for this URL: type the value' },
      general: [],
    });
  });

  test('a conflict is shown at the top', () => {
    const error = new ApiError(409, 'conflict', 'an agent with this id exists; PUT it to change it');
    expect(serverErrors(error, 'gpt').general).toEqual(['an agent with this id exists; PUT it to change it']);
  });
});

describe('listing the provider’s models', () => {
  test('a new agent sends the provider as typed, key included', () => {
    const { provider, agentId } = modelsRequest(openai({ apiKey: 'sk-new' }), NEW_AGENT);
    expect(agentId).toBeUndefined();
    expect(provider).toMatchObject({ type: 'openai', base_url: 'https://api.example.com/v1', api_key: 'sk-new' });
  });
  test('an edited agent with an empty key field lets the server use its stored key (same URL only)', () => {
    const origin = { editing: true, hasKey: true, baseUrl: 'https://api.example.com/v1' };
    expect(modelsRequest(openai(), origin).agentId).toBe('gpt');
    expect(modelsRequest(openai(), origin).provider).not.toHaveProperty('api_key');
    expect(modelsRequest(openai({ baseUrl: 'https://other.example.com/v1' }), origin).agentId).toBeUndefined();
    expect(modelsRequest(openai({ apiKey: 'sk-typed' }), origin).agentId).toBeUndefined();
  });
  test('the list filters on id and name, any case', () => {
    const models = [{ id: 'gpt-4o', name: 'GPT-4o' }, { id: 'gpt-4o-mini', name: null }, { id: 'claude-sonnet', name: 'Claude Sonnet' }];
    expect(filterModels(models, 'MINI').map((m) => m.id)).toEqual(['gpt-4o-mini']);
    expect(filterModels(models, 'sonnet').map((m) => m.id)).toEqual(['claude-sonnet']);
    expect(filterModels(models, '')).toHaveLength(3);
  });
});
