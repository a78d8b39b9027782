import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import '../../i18n/admin';
import { ApiError, type AdminSettings } from '../../api';

const api = vi.hoisted(() => ({
  getAgent: vi.fn(),
  createAgent: vi.fn(),
  updateAgent: vi.fn(),
  listProviderModels: vi.fn(),
  settings: vi.fn(),
  setRegistration: vi.fn(),
  listInvitations: vi.fn(),
  createInvitation: vi.fn(),
  revokeInvitation: vi.fn(),
}));
vi.mock('../../api', async (original) => {
  const actual = await original<typeof import('../../api')>();
  return { ...actual, adminApi: { ...actual.adminApi, ...api } };
});

const { default: AgentEditor } = await import('./AgentEditor');
const { RegistrationSection } = await import('./RegistrationSection');
const { InvitationsSection } = await import('./InvitationsSection');

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => vi.resetAllMocks());

function editor() {
  return render(
    <MemoryRouter initialEntries={['/admin/agents/new']}>
      <Routes>
        <Route path="/admin/agents/new" element={<AgentEditor />} />
        <Route path="/admin/agents" element={<p data-testid="agents-list">list</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

async function fillAgent() {
  fireEvent.change(await screen.findByTestId('agent-id'), { target: { value: 'gpt' } });
  fireEvent.change(screen.getByTestId('agent-name'), { target: { value: 'GPT' } });
  fireEvent.change(screen.getByTestId('agent-base-url'), { target: { value: 'http://127.0.0.1:9/v1' } });
  fireEvent.change(screen.getByTestId('agent-api-key'), { target: { value: 'sk-x' } });
}

const saved = (enabled: boolean, test: unknown) => ({
  id: 'gpt',
  name: 'GPT',
  description: '',
  capabilities: [],
  provider: 'openai',
  enabled,
  source: 'database',
  overrides_file: false,
  definition: {},
  connection_test: test,
});

describe('the agent form', () => {
  it('lists the provider’s models and picks one; free text stays possible', async () => {
    editor();
    await fillAgent();
    api.listProviderModels.mockResolvedValue({ url: 'http://127.0.0.1:9/v1/models', items: [{ id: 'gpt-4o', name: 'GPT-4o' }, { id: 'gpt-4o-mini' }] });
    fireEvent.click(screen.getByTestId('list-models'));
    await screen.findByTestId('model-list');
    expect(screen.getByTestId('models-found').textContent).toBe('2 models at http://127.0.0.1:9/v1/models');
    expect(api.listProviderModels.mock.calls[0]![0]).toMatchObject({ type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-x' });
    fireEvent.change(screen.getByTestId('agent-model'), { target: { value: 'mini' } });
    expect(screen.getAllByTestId('model-option').map((o) => o.getAttribute('data-model'))).toEqual(['gpt-4o-mini']);
    fireEvent.click(screen.getAllByTestId('model-option')[0]!);
    expect((screen.getByTestId('agent-model') as HTMLInputElement).value).toBe('gpt-4o-mini');
    expect(screen.queryByTestId('model-list')).toBeNull();
  });

  it('shows the server’s words when the provider cannot list its models', async () => {
    editor();
    await fillAgent();
    api.listProviderModels.mockRejectedValue(new ApiError(502, 'upstream_error', 'Nothing listens at http://127.0.0.1:9/v1/models (connection refused).'));
    fireEvent.click(screen.getByTestId('list-models'));
    expect((await screen.findByTestId('models-error')).textContent).toContain('Nothing listens at http://127.0.0.1:9/v1/models (connection refused).');
  });

  it('says plainly that a failed connection test saved the agent disabled, and enables it anyway', async () => {
    editor();
    await fillAgent();
    fireEvent.change(screen.getByTestId('agent-model'), { target: { value: 'gpt-4o' } });
    api.createAgent.mockResolvedValue(
      saved(false, {
        ok: false,
        latency_ms: 3,
        model: 'gpt-4o',
        url: 'http://127.0.0.1:9/v1/chat/completions',
        error: { kind: 'connection_refused', status: null, code: null, message: 'Nothing listens at http://127.0.0.1:9 (connection refused).' },
      }),
    );
    fireEvent.click(screen.getByTestId('agent-save'));
    const result = await screen.findByTestId('save-test-result');
    expect(result.textContent).toContain('GPT was saved, but disabled');
    expect(screen.getByTestId('save-test-message').textContent).toBe('Nothing listens at http://127.0.0.1:9 (connection refused).');
    expect(result.textContent).toContain('http://127.0.0.1:9/v1/chat/completions');

    api.updateAgent.mockResolvedValue(saved(true, { ok: false, latency_ms: 2, error: { message: 'x' } }));
    fireEvent.click(screen.getByTestId('enable-anyway'));
    await screen.findByTestId('agents-list');
    const [id, definition, force] = api.updateAgent.mock.calls[0]!;
    expect([id, definition.enabled, force]).toEqual(['gpt', true, true]);
  });

  it('goes back to the list when the test passed', async () => {
    editor();
    await fillAgent();
    fireEvent.change(screen.getByTestId('agent-model'), { target: { value: 'gpt-4o' } });
    api.createAgent.mockResolvedValue(saved(true, { ok: true, latency_ms: 42, model: 'gpt-4o', url: 'x', error: null }));
    fireEvent.click(screen.getByTestId('agent-save'));
    await screen.findByTestId('agents-list');
    expect(api.createAgent.mock.calls[0]![1] ?? false).toBe(false);
  });
});

describe('registration in the console', () => {
  const settings = (mode: 'open' | 'closed' | 'invite', source: 'config' | 'console'): AdminSettings => ({
    registration: { mode, source, config_mode: 'open' },
  });

  it('shows the mode and its source, changes it at once, and goes back to the configuration', async () => {
    api.settings.mockResolvedValue(settings('open', 'config'));
    render(<RegistrationSection />);
    expect((await screen.findByTestId('registration-current')).textContent).toBe('Now: open. From the configuration.');
    expect(screen.queryByTestId('registration-reset')).toBeNull();

    api.setRegistration.mockResolvedValue(settings('closed', 'console'));
    fireEvent.click(screen.getByTestId('registration-mode-closed'));
    fireEvent.click(screen.getByTestId('registration-apply'));
    await waitFor(() => expect(screen.getByTestId('registration-current').textContent).toBe('Now: closed. Set in this console; the configuration says open.'));
    expect(api.setRegistration).toHaveBeenCalledWith('closed');

    api.setRegistration.mockResolvedValue(settings('open', 'config'));
    fireEvent.click(screen.getByTestId('registration-reset'));
    await waitFor(() => expect(api.setRegistration).toHaveBeenLastCalledWith(null));
    await screen.findByText('Now: open.');
  });
});

describe('invitations', () => {
  it('creates one and shows its link once; lists them with status; revokes', async () => {
    api.listInvitations.mockResolvedValue({ items: [] });
    render(<InvitationsSection />);
    await screen.findByText('No invitations yet.');
    api.createInvitation.mockResolvedValue({
      id: 'i1',
      code: 'INV-123',
      role: 'admin',
      note: 'for Dana',
      created_at: '2026-12-02T00:00:00Z',
      expires_at: '2026-12-05T00:00:00Z',
      status: 'pending',
      used_at: null,
      used_by: null,
      used_by_name: null,
    });
    const pending = { id: 'i1', role: 'admin', note: 'for Dana', created_at: '2026-12-02T00:00:00Z', expires_at: '2026-12-05T00:00:00Z', status: 'pending', used_at: null, used_by: null, used_by_name: null };
    api.listInvitations.mockResolvedValue({ items: [pending, { ...pending, id: 'i2', note: null, role: 'user', status: 'used', used_by_name: 'erin' }] });
    fireEvent.change(screen.getByTestId('invitation-role'), { target: { value: 'admin' } });
    fireEvent.change(screen.getByTestId('invitation-days'), { target: { value: '3' } });
    fireEvent.change(screen.getByTestId('invitation-note'), { target: { value: 'for Dana' } });
    fireEvent.click(screen.getByTestId('invitation-create'));
    expect((await screen.findByTestId('invitation-link')).textContent).toBe(`${window.location.origin}/register?invite=INV-123`);
    expect(api.createInvitation).toHaveBeenCalledWith({ role: 'admin', expires_in_days: 3, note: 'for Dana' });
    await waitFor(() => expect(screen.getAllByTestId('invitation-row')).toHaveLength(2));
    expect(screen.getAllByTestId('invitation-row')[1]!.textContent).toContain('by erin');

    api.revokeInvitation.mockResolvedValue(undefined);
    fireEvent.click(screen.getByTestId('invitation-revoke'));
    fireEvent.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(api.revokeInvitation).toHaveBeenCalledWith('i1'));
    await waitFor(() => expect(screen.queryByTestId('invitation-link')).toBeNull());
  });

  it('refuses an expiry outside 1–90 days before sending', async () => {
    api.listInvitations.mockResolvedValue({ items: [] });
    render(<InvitationsSection />);
    fireEvent.change(screen.getByTestId('invitation-days'), { target: { value: '120' } });
    fireEvent.click(screen.getByTestId('invitation-create'));
    await screen.findByText('Enter a whole number of days from 1 to 90.');
    expect(api.createInvitation).not.toHaveBeenCalled();
  });
});
