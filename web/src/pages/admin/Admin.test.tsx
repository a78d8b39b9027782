import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import '../../i18n/admin';
import { ApiError, type AdminSettings, type Group } from '../../api';

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
  listGroups: vi.fn(),
}));
vi.mock('../../api', async (original) => {
  const actual = await original<typeof import('../../api')>();
  return { ...actual, adminApi: { ...actual.adminApi, ...api } };
});

const { default: AgentEditor } = await import('./AgentEditor');
const { RegistrationSection } = await import('./RegistrationSection');
const { InvitationsSection } = await import('./InvitationsSection');

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  vi.resetAllMocks();
  api.listGroups.mockResolvedValue([]);
});

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
      groups: [],
    });
    const pending = { id: 'i1', role: 'admin', note: 'for Dana', groups: [], created_at: '2026-12-02T00:00:00Z', expires_at: '2026-12-05T00:00:00Z', status: 'pending', used_at: null, used_by: null, used_by_name: null };
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

describe('invitations with groups', () => {
  const group = (id: string, name: string): Group => ({
    id,
    name,
    description: '',
    member_count: 0,
    agents: [],
    created_at: '2026-12-01T00:00:00Z',
    updated_at: '2026-12-01T00:00:00Z',
  });
  const invitation = (id: string, groups: { id: string; name: string }[], extra: Record<string, unknown> = {}) => ({
    id,
    role: 'user',
    note: null,
    groups,
    created_at: '2026-12-02T00:00:00Z',
    expires_at: '2026-12-09T00:00:00Z',
    status: 'pending',
    used_at: null,
    used_by: null,
    used_by_name: null,
    ...extra,
  });

  it('sends the ticked groups’ ids, and says which groups the link joins', async () => {
    api.listGroups.mockResolvedValue([group('g1', 'engineering'), group('g2', 'sales'), group('g3', 'research')]);
    api.listInvitations.mockResolvedValue({ items: [] });
    render(<InvitationsSection />);
    await screen.findByTestId('invitation-groups-picker');
    const boxes = screen.getAllByTestId('invitation-group');
    expect(boxes.map((b) => b.getAttribute('data-group'))).toEqual(['engineering', 'sales', 'research']);
    // Ticked, unticked again: only what stays ticked is sent, in the order it was ticked.
    fireEvent.click(boxes[2]!);
    fireEvent.click(boxes[1]!);
    fireEvent.click(boxes[0]!);
    fireEvent.click(boxes[1]!);
    api.createInvitation.mockResolvedValue({
      ...invitation('i1', [
        { id: 'g3', name: 'research' },
        { id: 'g1', name: 'engineering' },
      ]),
      code: 'INV-9',
    });
    fireEvent.click(screen.getByTestId('invitation-create'));
    await screen.findByTestId('invitation-link');
    expect(api.createInvitation).toHaveBeenCalledWith({ role: 'user', expires_in_days: 7, groups: ['g3', 'g1'] });
    expect(screen.getByTestId('invitation-created-groups').textContent).toBe('The account joins: research, engineering.');
  });

  it('sends no groups when none is ticked', async () => {
    api.listGroups.mockResolvedValue([group('g1', 'engineering')]);
    api.listInvitations.mockResolvedValue({ items: [] });
    render(<InvitationsSection />);
    await screen.findByTestId('invitation-groups-picker');
    api.createInvitation.mockResolvedValue({ ...invitation('i1', []), code: 'INV-1' });
    fireEvent.click(screen.getByTestId('invitation-create'));
    await screen.findByTestId('invitation-link');
    expect(api.createInvitation.mock.calls[0]![0]).not.toHaveProperty('groups');
    expect(screen.queryByTestId('invitation-created-groups')).toBeNull();
  });

  it('lists each invitation’s groups by name, a dash for none', async () => {
    api.listGroups.mockResolvedValue([group('g1', 'engineering')]);
    api.listInvitations.mockResolvedValue({
      items: [
        invitation('i1', [
          { id: 'g1', name: 'engineering' },
          { id: 'g2', name: 'sales' },
        ]),
        invitation('i2', [], { status: 'used', used_by_name: 'erin' }),
      ],
    });
    render(<InvitationsSection />);
    await waitFor(() => expect(screen.getAllByTestId('invitation-row')).toHaveLength(2));
    const [first, second] = screen.getAllByTestId('invitation-row');
    expect(within(first!).getAllByTestId('invitation-group-name').map((g) => g.textContent)).toEqual(['engineering', 'sales']);
    expect(within(second!).queryAllByTestId('invitation-group-name')).toHaveLength(0);
    expect(within(second!).getByTestId('invitation-groups').textContent).toBe('—');
    expect(screen.getByRole('columnheader', { name: 'Groups' })).toBeTruthy();
  });

  it('shows no group picker when there are no groups', async () => {
    api.listInvitations.mockResolvedValue({ items: [] });
    render(<InvitationsSection />);
    await screen.findByText('No invitations yet.');
    await waitFor(() => expect(api.listGroups).toHaveBeenCalled());
    // Let the (empty) answer arrive before looking.
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId('invitation-groups-picker')).toBeNull();
    expect(screen.queryAllByTestId('invitation-group')).toHaveLength(0);
  });

  it('shows no group picker when the groups cannot be read, and still creates invitations', async () => {
    api.listGroups.mockRejectedValue(new ApiError(503, 'unavailable', 'down'));
    api.listInvitations.mockResolvedValue({ items: [] });
    render(<InvitationsSection />);
    await screen.findByText('No invitations yet.');
    expect(screen.queryByTestId('invitation-groups-picker')).toBeNull();
    api.createInvitation.mockResolvedValue({ ...invitation('i1', []), code: 'INV-2' });
    fireEvent.click(screen.getByTestId('invitation-create'));
    await screen.findByTestId('invitation-link');
    expect(api.createInvitation).toHaveBeenCalledWith({ role: 'user', expires_in_days: 7 });
  });

  it('shows an unknown group (422, field groups) on the picker and reloads the groups', async () => {
    api.listGroups.mockResolvedValueOnce([group('g1', 'engineering'), group('g2', 'sales')]).mockResolvedValue([group('g1', 'engineering')]);
    api.listInvitations.mockResolvedValue({ items: [] });
    render(<InvitationsSection />);
    await screen.findByTestId('invitation-groups-picker');
    for (const box of screen.getAllByTestId('invitation-group')) fireEvent.click(box);
    const refused = new ApiError(422, 'invalid', 'groups: no such group: g2');
    refused.field = 'groups';
    api.createInvitation.mockRejectedValue(refused);
    fireEvent.click(screen.getByTestId('invitation-create'));
    expect((await screen.findByTestId('invitation-groups-error')).textContent).toBe('No such group: g2');
    expect(screen.queryByTestId('admin-notice')).toBeNull();
    // The deleted group is gone from the picker, and from what the next try sends.
    await waitFor(() => expect(screen.getAllByTestId('invitation-group').map((b) => b.getAttribute('data-group'))).toEqual(['engineering']));
    api.createInvitation.mockResolvedValue({ ...invitation('i1', [{ id: 'g1', name: 'engineering' }]), code: 'INV-3' });
    fireEvent.click(screen.getByTestId('invitation-create'));
    await screen.findByTestId('invitation-link');
    expect(api.createInvitation).toHaveBeenLastCalledWith({ role: 'user', expires_in_days: 7, groups: ['g1'] });
    expect(screen.queryByTestId('invitation-groups-error')).toBeNull();
  });
});
