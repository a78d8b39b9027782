import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { ApiError } from '../../api';
import i18n from '../../i18n';
import { useAuth } from '../../stores/auth';

const api = vi.hoisted(() => ({
  changePassword: vi.fn(),
  me: vi.fn(),
  listKeys: vi.fn(),
  createKey: vi.fn(),
  revokeAllKeys: vi.fn(),
  listAgents: vi.fn(),
  listUploads: vi.fn(),
  uploadUsage: vi.fn(),
  listShares: vi.fn(),
  revokeShare: vi.fn(),
  listPresets: vi.fn(),
}));
vi.mock('../../api', async (original) => {
  const actual = await original<typeof import('../../api')>();
  return {
    ...actual,
    authApi: { ...actual.authApi, changePassword: api.changePassword, me: api.me },
    keysApi: { ...actual.keysApi, listKeys: api.listKeys, createKey: api.createKey, revokeAllKeys: api.revokeAllKeys },
    agentsApi: { ...actual.agentsApi, listAgents: api.listAgents },
    uploadsApi: { ...actual.uploadsApi, listUploads: api.listUploads, uploadUsage: api.uploadUsage },
    sharesApi: { ...actual.sharesApi, listShares: api.listShares, revokeShare: api.revokeShare },
    // Presets.test.tsx tests the Prompt presets section.
    presetsApi: { ...actual.presetsApi, listPresets: api.listPresets },
  };
});

const { default: SettingsPage } = await import('../SettingsPage');

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  vi.resetAllMocks();
  api.listKeys.mockResolvedValue({ items: [] });
  // The Files section (FilesSection.test.tsx) loads too.
  api.listUploads.mockResolvedValue({ items: [], next_cursor: null });
  api.uploadUsage.mockResolvedValue({ files: 0, used_bytes: 0, quota_bytes: 1 << 30, retention_seconds: null });
  api.listShares.mockResolvedValue({ items: [] });
  api.listPresets.mockResolvedValue({ items: [] });
  api.listAgents.mockResolvedValue([
    { id: 'demo', name: 'Demo', description: '', capabilities: [], provider: 'demo', enabled: true },
    { id: 'gpt', name: 'GPT', description: '', capabilities: [], provider: 'openai', enabled: true },
  ]);
  api.me.mockResolvedValue({ id: 'u1', username: 'ada', role: 'user', created_at: '2026-12-01T00:00:00Z', disabled: false, groups: [] });
  signInAs('user');
});

function signInAs(role: 'admin' | 'user') {
  useAuth.setState({
    status: 'signed_in',
    user: { id: 'u1', username: 'ada', role, created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
}

const apiKey = (id: string, name: string, scopes: ('chat' | 'admin')[]) => ({
  id,
  name,
  prefix: `sk-llmc-${id}`,
  created_at: '2026-12-02T00:00:00Z',
  scopes,
});

/** Answers createKey with the key asked for, as the server would. */
function echoCreatedKey() {
  api.createKey.mockImplementation(async (body: { name: string; scopes?: ('chat' | 'admin')[] }) => ({
    ...apiKey('k9', body.name, body.scopes?.includes('admin') ? ['chat', 'admin'] : ['chat']),
    key: 'sk-llmc-k9secret',
  }));
}

const page = () =>
  render(
    <MemoryRouter>
      <SettingsPage />
    </MemoryRouter>,
  );

describe('the user’s groups', () => {
  it('lists the groups from /api/auth/me', async () => {
    api.me.mockResolvedValue({
      id: 'u1',
      username: 'ada',
      role: 'user',
      created_at: '2026-12-01T00:00:00Z',
      disabled: false,
      groups: [
        { id: 'g1', name: 'engineering' },
        { id: 'g2', name: 'research' },
      ],
    });
    page();
    await screen.findAllByTestId('settings-group');
    expect(screen.getAllByTestId('settings-group').map((g) => g.textContent)).toEqual(['engineering', 'research']);
    expect(screen.queryByTestId('settings-no-groups')).toBeNull();
    expect(api.me).toHaveBeenCalledTimes(1);
  });

  it('says so when the user is in no group', async () => {
    page();
    expect((await screen.findByTestId('settings-no-groups')).textContent).toBe('You are in no groups.');
  });

  it('shows why the groups could not be loaded', async () => {
    api.me.mockRejectedValue(new ApiError(503, 'unavailable', 'down'));
    page();
    await waitFor(() => expect(screen.getByTestId('settings-groups').textContent).toContain('The service is unavailable right now.'));
  });
});

describe('changing the password', () => {
  it('refuses a confirmation that differs, before sending', async () => {
    page();
    fireEvent.change(screen.getByTestId('password-current'), { target: { value: 'old passphrase' } });
    fireEvent.change(screen.getByTestId('password-new'), { target: { value: 'new passphrase 1' } });
    fireEvent.change(screen.getByTestId('password-repeat'), { target: { value: 'new passphrase 2' } });
    fireEvent.submit(screen.getByTestId('password-form'));
    expect((await screen.findByTestId('password-repeat-error')).textContent).toBe('The passwords do not match.');
    expect(api.changePassword).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId('password-repeat'), { target: { value: 'new passphrase 1' } });
    api.changePassword.mockResolvedValue(undefined);
    fireEvent.submit(screen.getByTestId('password-form'));
    await screen.findByText('Password changed. Other sessions were signed out.');
    expect(api.changePassword).toHaveBeenCalledWith('old passphrase', 'new passphrase 1', false);
  });

  it('can revoke every API key with the change, and then lists the keys afresh', async () => {
    api.listKeys.mockResolvedValueOnce({ items: [apiKey('k1', 'laptop', ['chat'])] });
    page();
    await screen.findByText('laptop');
    fireEvent.change(screen.getByTestId('password-current'), { target: { value: 'old passphrase' } });
    fireEvent.change(screen.getByTestId('password-new'), { target: { value: 'new passphrase 1' } });
    fireEvent.change(screen.getByTestId('password-repeat'), { target: { value: 'new passphrase 1' } });
    fireEvent.click(screen.getByTestId('password-revoke-keys'));
    api.changePassword.mockResolvedValue(undefined);
    fireEvent.submit(screen.getByTestId('password-form'));
    await screen.findByText('Password changed. Other sessions were signed out and your API keys revoked.');
    expect(api.changePassword).toHaveBeenCalledWith('old passphrase', 'new passphrase 1', true);
    await screen.findByText('No API keys.');
    expect(api.listKeys).toHaveBeenCalledTimes(2);
    expect((screen.getByTestId('password-revoke-keys') as HTMLInputElement).checked).toBe(false);
  });

  it('shows and hides the new password', () => {
    page();
    const input = screen.getByTestId('password-new') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.click(screen.getByTestId('password-new-toggle'));
    expect(input.type).toBe('text');
  });
});

describe('creating an API key', () => {
  it('sends the expiry and the agents chosen, then shows the key with a curl and a Python snippet', async () => {
    page();
    api.createKey.mockImplementation(async (body: { name: string; allowed_agents?: string[] }) => ({
      id: 'k1',
      name: body.name,
      prefix: 'sk-llmc-ab',
      created_at: '2026-12-02T00:00:00Z',
      expires_at: '2027-01-01T00:00:00Z',
      allowed_agents: body.allowed_agents,
      key: 'sk-llmc-abcdef',
    }));
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'script' } });
    fireEvent.change(screen.getByTestId('key-expiry'), { target: { value: '30' } });
    fireEvent.click(screen.getByTestId('key-agents-some'));
    const gpt = await screen.findByRole('checkbox', { name: /GPT/ });
    fireEvent.click(gpt);
    fireEvent.submit(screen.getByTestId('key-form'));
    await screen.findByTestId('new-key');
    const body = api.createKey.mock.calls[0]![0] as { name: string; expires_at: string; allowed_agents: string[] };
    expect(body.name).toBe('script');
    expect(body.allowed_agents).toEqual(['gpt']);
    expect(new Date(body.expires_at).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(screen.getByTestId('new-key-value').textContent).toBe('sk-llmc-abcdef');
    expect(screen.getByTestId('new-key-base-url').textContent).toBe(`${window.location.origin}/v1`);
    expect(screen.getByTestId('key-snippet').textContent).toContain('Authorization: Bearer sk-llmc-abcdef');
    expect(screen.getByTestId('key-snippet').textContent).toContain('"model":"gpt"');
    fireEvent.click(screen.getByTestId('snippet-python'));
    expect(screen.getByTestId('key-snippet').textContent).toContain('from openai import OpenAI');
  });

  it('asks for at least one agent when limiting the key', async () => {
    page();
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('key-agents-some'));
    fireEvent.submit(screen.getByTestId('key-form'));
    await screen.findByText('Choose at least one agent, or allow all.');
    expect(api.createKey).not.toHaveBeenCalled();
  });
});

describe('API key scopes', () => {
  it('lets an admin create a key for the admin API', async () => {
    signInAs('admin');
    echoCreatedKey();
    page();
    expect((screen.getByTestId('key-scope-chat') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('key-scope').textContent).toContain('manage users');
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'deploy bot' } });
    fireEvent.click(screen.getByTestId('key-scope-admin'));
    fireEvent.submit(screen.getByTestId('key-form'));
    await screen.findByTestId('new-key');
    expect(api.createKey).toHaveBeenCalledWith({ name: 'deploy bot', scopes: ['admin'] });
    const row = screen.getAllByTestId('key-row')[0]!;
    expect(row.textContent).toContain('deploy bot');
    expect(row.querySelector('[data-testid="key-admin-badge"]')?.textContent).toBe('admin');
    // The next key is a chat key again unless chosen otherwise.
    expect((screen.getByTestId('key-scope-chat') as HTMLInputElement).checked).toBe(true);
  });

  it('sends no scopes for an admin who keeps "Chat only"', async () => {
    signInAs('admin');
    echoCreatedKey();
    page();
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'notebook' } });
    fireEvent.submit(screen.getByTestId('key-form'));
    await screen.findByTestId('new-key');
    expect(api.createKey).toHaveBeenCalledWith({ name: 'notebook' });
  });

  it('offers no scope choice to other users, and sends none', async () => {
    echoCreatedKey();
    page();
    expect(screen.queryByTestId('key-scope')).toBeNull();
    expect(screen.queryByText('Admin API')).toBeNull();
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'script' } });
    fireEvent.submit(screen.getByTestId('key-form'));
    await screen.findByTestId('new-key');
    expect(api.createKey).toHaveBeenCalledWith({ name: 'script' });
    expect(screen.queryByTestId('key-admin-badge')).toBeNull();
  });

  it('marks the keys that may use the admin API', async () => {
    api.listKeys.mockResolvedValue({ items: [apiKey('k1', 'laptop', ['chat']), apiKey('k2', 'ops', ['chat', 'admin'])] });
    page();
    const rows = await screen.findAllByTestId('key-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.querySelector('[data-testid="key-admin-badge"]')).toBeNull();
    const badge = rows[1]!.querySelector('[data-testid="key-admin-badge"]');
    expect(badge?.textContent).toBe('admin');
    expect(badge?.getAttribute('title')).toBe('This key may also use the admin API.');
  });

  it('shows the server’s message when the key limit is reached', async () => {
    api.createKey.mockRejectedValue(new ApiError(409, 'conflict', 'at most 20 working keys per user (auth.max_api_keys_per_user)'));
    page();
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'one more' } });
    fireEvent.submit(screen.getByTestId('key-form'));
    expect((await screen.findByRole('alert')).textContent).toContain('auth.max_api_keys_per_user');
  });
});

describe('revoking every API key', () => {
  it('asks first, calls DELETE /api/keys, says how many and lists the keys afresh', async () => {
    api.listKeys
      .mockResolvedValueOnce({ items: [apiKey('k1', 'laptop', ['chat']), apiKey('k2', 'ops', ['chat', 'admin'])] })
      .mockResolvedValueOnce({ items: [] });
    api.revokeAllKeys.mockResolvedValue({ revoked: 2 });
    page();
    await screen.findAllByTestId('key-row');
    fireEvent.click(screen.getByTestId('revoke-all-keys'));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('Every program using one of your API keys');
    expect(api.revokeAllKeys).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('confirm-ok'));
    expect((await screen.findByTestId('keys-notice')).textContent).toBe('2 keys revoked.');
    expect(api.revokeAllKeys).toHaveBeenCalledTimes(1);
    await screen.findByText('No API keys.');
    expect(api.listKeys).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId('key-row')).toBeNull();
    expect(screen.queryByTestId('revoke-all-keys')).toBeNull();
  });

  it('keeps the list when cancelled', async () => {
    api.listKeys.mockResolvedValue({ items: [apiKey('k1', 'laptop', ['chat'])] });
    page();
    await screen.findByTestId('key-row');
    fireEvent.click(screen.getByTestId('revoke-all-keys'));
    fireEvent.click(screen.getByText('Cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(api.revokeAllKeys).not.toHaveBeenCalled();
    expect(screen.getByTestId('key-row')).toBeTruthy();
  });
});

describe('shared links', () => {
  const share = (id: string, title: string, changes: object = {}) => ({
    id,
    path: `/share/${id}`,
    conversation_id: `c-${id}`,
    title,
    message_count: 2,
    members_only: false,
    created_at: '2026-12-02T10:00:00Z',
    expires_at: null,
    revoked_at: null,
    status: 'live',
    ...changes,
  });

  it('lists every link with its conversation, expiry, status and who can open it', async () => {
    api.listShares.mockResolvedValue({
      items: [
        share('tok1', 'Trip to Beijing', { members_only: true, expires_at: '2026-12-09T10:00:00Z' }),
        share('tok0', 'Old notes', { status: 'expired', expires_at: '2026-12-03T10:00:00Z' }),
      ],
    });
    page();
    const rows = await screen.findAllByTestId('share-row');
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['live', 'expired']);
    expect(rows[0]!.textContent).toContain('Trip to Beijing');
    expect(rows[0]!.textContent).toContain('Members only');
    expect(rows[0]!.querySelector('a')?.getAttribute('href')).toBe('/c/c-tok1');
    expect(rows[1]!.textContent).toContain('Expired');
    expect(rows[1]!.textContent).toContain('Anyone with the link');
    expect(rows[1]!.querySelector('[data-testid=share-revoke]')).toBeNull();
  });

  it('says so when there is none', async () => {
    page();
    expect((await screen.findByTestId('shares-empty')).textContent).toBe('You have not shared any conversation.');
  });

  it('revokes a link after asking', async () => {
    api.listShares.mockResolvedValue({ items: [share('tok1', 'Trip to Beijing')] });
    api.revokeShare.mockResolvedValue(undefined);
    page();
    fireEvent.click(await screen.findByTestId('share-revoke'));
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('share-row').getAttribute('data-status')).toBe('revoked'));
    expect(api.revokeShare).toHaveBeenCalledWith('tok1');
  });
});
