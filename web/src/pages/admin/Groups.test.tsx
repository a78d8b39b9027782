// Groups in the console, over a mocked fetch: what the screens send (paths, methods, bodies)
// and how they show the server's answers, refusals included.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import '../../i18n/admin';
import { endSession, startSession } from '../../api/session';
import type { GroupDetail, Group } from '../../api';
import GroupsPage from './GroupsPage';
import GroupPage from './GroupPage';
import AgentsPage from './AgentsPage';

interface Call {
  method: string;
  path: string;
  query: string;
  body: unknown;
}
type Handler = (call: Call) => Response;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const noContent = () => new Response(null, { status: 204 });
const refusal = (status: number, code: string, message: string, field?: string) =>
  json(status, { error: { code, message, request_id: 'req-1', ...(field ? { field } : {}) } });

let routes: Map<string, Handler>;
let calls: Call[];

/** Answers `method path` (the first answer of a list once each, the last one from then on). */
function on(method: string, path: string, ...answers: Handler[]) {
  let n = 0;
  routes.set(`${method} ${path}`, (call) => answers[Math.min(n++, answers.length - 1)]!(call));
}
const sent = (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path);

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  routes = new Map();
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), 'http://localhost');
      const call: Call = {
        method: init?.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      calls.push(call);
      const handler = routes.get(`${call.method} ${call.path}`);
      return handler ? handler(call) : refusal(404, 'not_found', 'not found');
    }),
  );
  // Signed in: requests carry a token and need no refresh first.
  startSession({
    access_token: 'token',
    refresh_token: '',
    token_type: 'Bearer',
    expires_in: 3600,
    user: { id: 'admin-id', username: 'admin', role: 'admin', created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const group = (id: string, name: string, extra: Partial<Group> = {}): Group => ({
  id,
  name,
  description: '',
  member_count: 0,
  agents: [],
  created_at: '2026-12-04T00:00:00Z',
  updated_at: '2026-12-04T00:00:00Z',
  ...extra,
});
const detail = (g: Group, members: GroupDetail['members'] = []): GroupDetail => ({ ...g, member_count: members.length, members });
const agent = (id: string, name: string) => ({
  id,
  name,
  description: '',
  capabilities: [],
  provider: 'demo',
  enabled: true,
  source: 'file',
  overrides_file: false,
  definition: { id, name, provider: { type: 'demo' } },
});
const AGENTS = { items: [agent('demo', 'Demo'), agent('fast', 'Fast demo')] };

function at(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/admin/groups" element={<GroupsPage />} />
        <Route path="/admin/groups/:id" element={<GroupPage />} />
        <Route path="/admin/agents" element={<AgentsPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('the groups list', () => {
  it('shows each group with its description, member count and agents, linked to its page', async () => {
    on('GET', '/api/admin/agents', () => json(200, AGENTS));
    on('GET', '/api/admin/groups', () =>
      json(200, { items: [group('g1', 'engineering', { description: 'Builds things', member_count: 3, agents: ['fast', 'gone'] }), group('g2', 'sales')] }),
    );
    at('/admin/groups');
    await waitFor(() => expect(screen.getAllByTestId('group-row')).toHaveLength(2));
    const [engineering, sales] = screen.getAllByTestId('group-row');
    expect(within(engineering!).getByTestId('group-link').getAttribute('href')).toBe('/admin/groups/g1');
    expect(engineering!.textContent).toContain('Builds things');
    expect(within(engineering!).getByTestId('group-members').textContent).toBe('3');
    // Agent names once the agents arrived; an id the server no longer knows stays an id.
    await waitFor(() => expect(within(engineering!).getByTestId('group-agents').textContent).toBe('Fast demogone'));
    expect(within(sales!).getByTestId('group-agents').textContent).toBe('None');
  });

  it('shows each group’s retention: after how many days conversations are deleted, or kept', async () => {
    on('GET', '/api/admin/agents', () => json(200, AGENTS));
    on('GET', '/api/admin/groups', () =>
      json(200, { items: [group('g1', 'engineering', { retention_days: 30 }), group('g2', 'sales', { retention_days: 1 }), group('g3', 'ops')] }),
    );
    at('/admin/groups');
    await waitFor(() => expect(screen.getAllByTestId('group-row')).toHaveLength(3));
    expect(screen.getAllByTestId('group-retention').map((cell) => cell.textContent)).toEqual(['Deleted after 30 days', 'Deleted after 1 day', 'Kept']);
    expect(screen.getAllByTestId('group-retention')[0]!.getAttribute('data-days')).toBe('30');
  });

  it('says when there are no groups yet', async () => {
    on('GET', '/api/admin/agents', () => json(200, AGENTS));
    on('GET', '/api/admin/groups', () => json(200, { items: [] }));
    at('/admin/groups');
    await screen.findByText(/No groups yet/);
  });
});

describe('creating a group', () => {
  beforeEach(() => {
    on('GET', '/api/admin/agents', () => json(200, AGENTS));
    on('GET', '/api/admin/groups', () => json(200, { items: [group('g1', 'engineering')] }));
  });

  it('shows a taken name (409) on the name field, and sends nothing else', async () => {
    on('POST', '/api/admin/groups', () => refusal(409, 'conflict', 'a group with this name already exists', 'name'));
    at('/admin/groups');
    fireEvent.click(await screen.findByTestId('new-group'));
    fireEvent.change(screen.getByTestId('group-name'), { target: { value: '  engineering ' } });
    fireEvent.change(screen.getByTestId('group-description'), { target: { value: 'Builders' } });
    fireEvent.click(screen.getByTestId('group-create'));
    expect((await screen.findByTestId('field-error')).textContent).toBe('A group with this name already exists');
    expect(screen.getByTestId('group-name').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('group-name'));
    expect(sent('POST', '/api/admin/groups').map((c) => c.body)).toEqual([{ name: 'engineering', description: 'Builders' }]);
  });

  it('shows a refused description (422) on its field', async () => {
    on('POST', '/api/admin/groups', () => refusal(422, 'invalid', 'description: must be at most 500 characters', 'description'));
    at('/admin/groups');
    fireEvent.click(await screen.findByTestId('new-group'));
    fireEvent.change(screen.getByTestId('group-name'), { target: { value: 'ops' } });
    fireEvent.click(screen.getByTestId('group-create'));
    expect((await screen.findByTestId('field-error')).textContent).toBe('Must be at most 500 characters');
    expect(screen.getByTestId('group-description').getAttribute('aria-invalid')).toBe('true');
    expect(sent('POST', '/api/admin/groups')[0]!.body).toEqual({ name: 'ops', description: null });
  });

  it('sends retention_days when the retention is filled in, and shows its 422 on the field', async () => {
    on('POST', '/api/admin/groups', () => refusal(422, 'invalid', 'retention_days: must be between 1 and 3650', 'retention_days'));
    at('/admin/groups');
    fireEvent.click(await screen.findByTestId('new-group'));
    fireEvent.change(screen.getByTestId('group-name'), { target: { value: 'interns' } });
    fireEvent.change(screen.getByTestId('group-retention-input'), { target: { value: '30' } });
    fireEvent.click(screen.getByTestId('group-create'));
    expect((await screen.findByTestId('field-error')).textContent).toBe('Must be between 1 and 3650');
    expect(screen.getByTestId('group-retention-input').getAttribute('aria-invalid')).toBe('true');
    expect(sent('POST', '/api/admin/groups').map((c) => c.body)).toEqual([{ name: 'interns', description: null, retention_days: 30 }]);
  });

  it('refuses a retention that is not 1–3650 whole days before sending anything', async () => {
    at('/admin/groups');
    fireEvent.click(await screen.findByTestId('new-group'));
    fireEvent.change(screen.getByTestId('group-name'), { target: { value: 'interns' } });
    fireEvent.change(screen.getByTestId('group-retention-input'), { target: { value: '4000' } });
    fireEvent.submit(screen.getByTestId('create-group'));
    expect((await screen.findByTestId('field-error')).textContent).toBe('Enter a whole number of days from 1 to 3650, or leave it empty.');
    expect(sent('POST', '/api/admin/groups')).toHaveLength(0);
  });

  it('opens the new group’s page once created', async () => {
    const ops = group('g3', 'ops');
    on('POST', '/api/admin/groups', () => json(201, detail(ops)));
    on('GET', '/api/admin/groups/g3', () => json(200, detail(ops)));
    at('/admin/groups');
    fireEvent.click(await screen.findByTestId('new-group'));
    fireEvent.change(screen.getByTestId('group-name'), { target: { value: 'ops' } });
    fireEvent.click(screen.getByTestId('group-create'));
    await screen.findByTestId('admin-group');
    expect(screen.getByTestId('admin-notice').textContent).toContain('Group ops created.');
    expect(screen.getByTestId('group-no-members')).toBeTruthy();
  });
});

describe('a group’s page', () => {
  const engineering = group('g1', 'engineering', { description: 'Builds things', agents: ['fast'] });
  const bob = { id: 'u2', username: 'bob', display_name: null, source: 'admin', added_at: '2026-12-04T10:00:00Z' };
  beforeEach(() => on('GET', '/api/admin/agents', () => json(200, AGENTS)));

  it('shows the refusal to delete a group that is some agent’s only group (409 group_in_use)', async () => {
    on('GET', '/api/admin/groups/g1', () => json(200, detail(engineering)));
    const message = 'only this group may use the agent(s) fast: give them other groups, or make them available to everyone, before deleting it';
    on('DELETE', '/api/admin/groups/g1', () => refusal(409, 'group_in_use', message));
    at('/admin/groups/g1');
    fireEvent.click(await screen.findByTestId('group-delete'));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('Delete group engineering?');
    fireEvent.click(screen.getByTestId('confirm-ok'));
    const notice = await screen.findByTestId('admin-notice');
    expect(notice.textContent).toContain(`The group was not deleted: ${message}`);
    expect(notice.getAttribute('role')).toBe('alert');
    expect(sent('DELETE', '/api/admin/groups/g1')).toHaveLength(1);
    // Still on the group's page, the dialog closed.
    expect(screen.getByTestId('admin-group')).toBeTruthy();
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
  });

  it('goes back to the list once deleted', async () => {
    on('GET', '/api/admin/groups/g1', () => json(200, detail(group('g1', 'engineering'))));
    on('DELETE', '/api/admin/groups/g1', () => noContent());
    on('GET', '/api/admin/groups', () => json(200, { items: [] }));
    at('/admin/groups/g1');
    fireEvent.click(await screen.findByTestId('group-delete'));
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await screen.findByTestId('admin-groups');
    expect(screen.getByTestId('admin-notice').textContent).toContain('Group engineering was deleted.');
  });

  it('lists the agents it may use, adds a member found by search, and removes one', async () => {
    on('GET', '/api/admin/groups/g1', () => json(200, detail(engineering)), () => json(200, detail(engineering, [bob])), () => json(200, detail(engineering)));
    on('GET', '/api/admin/users', () =>
      json(200, { items: [{ id: 'u2', username: 'bob', email: 'bob@example.com', role: 'user', disabled: false, created_at: '2026-12-01T00:00:00Z' }] }),
    );
    on('PUT', '/api/admin/groups/g1/members/u2', () => noContent());
    on('DELETE', '/api/admin/groups/g1/members/u2', () => noContent());
    at('/admin/groups/g1');
    await screen.findByTestId('admin-group');
    await waitFor(() => expect(screen.getByTestId('group-agent').textContent).toContain('Fast demo'));

    fireEvent.change(screen.getByTestId('member-search'), { target: { value: 'bo' } });
    const candidate = await screen.findByTestId('member-candidate', {}, { timeout: 2000 });
    expect(sent('GET', '/api/admin/users')[0]!.query).toBe('?q=bo&limit=10');
    fireEvent.click(within(candidate).getByTestId('member-add'));
    await screen.findByTestId('member-row');
    expect(sent('PUT', '/api/admin/groups/g1/members/u2')).toHaveLength(1);
    expect(screen.getByTestId('admin-notice').textContent).toContain('bob was added to the group.');
    // Already a member now: no second "Add".
    expect(within(screen.getByTestId('member-candidate')).queryByTestId('member-add')).toBeNull();

    fireEvent.click(screen.getByTestId('member-remove'));
    await waitFor(() => expect(screen.queryByTestId('member-row')).toBeNull());
    expect(sent('DELETE', '/api/admin/groups/g1/members/u2')).toHaveLength(1);
    expect(screen.getByTestId('admin-notice').textContent).toContain('bob was removed from the group.');
  });

  it('renames it, sending only what changed', async () => {
    on('GET', '/api/admin/groups/g1', () => json(200, detail(engineering)));
    on('PATCH', '/api/admin/groups/g1', () => json(200, detail({ ...engineering, name: 'platform' })));
    at('/admin/groups/g1');
    const name = await screen.findByTestId('group-edit-name');
    expect((screen.getByTestId('group-save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(name, { target: { value: 'platform' } });
    fireEvent.click(screen.getByTestId('group-save'));
    await screen.findByText('Group platform saved.');
    expect(sent('PATCH', '/api/admin/groups/g1')[0]!.body).toEqual({ name: 'platform' });
  });
});

describe('a group’s retention', () => {
  beforeEach(() => on('GET', '/api/admin/agents', () => json(200, AGENTS)));

  it('sets one on the group’s page with retention_days, and clearing it sends null', async () => {
    const engineering = group('g1', 'engineering');
    on('GET', '/api/admin/groups/g1', () => json(200, detail(engineering)));
    on(
      'PATCH',
      '/api/admin/groups/g1',
      () => json(200, detail({ ...engineering, retention_days: 90 })),
      () => json(200, detail({ ...engineering, retention_days: null })),
    );
    at('/admin/groups/g1');
    const field = (await screen.findByTestId('group-edit-retention')) as HTMLInputElement;
    expect(field.value).toBe('');
    expect(field.getAttribute('placeholder')).toBe('Keep');
    expect((screen.getByTestId('group-save') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(field, { target: { value: '90' } });
    fireEvent.click(screen.getByTestId('group-save'));
    await screen.findByText('Group engineering saved.');
    expect(field.value).toBe('90');
    expect((screen.getByTestId('group-save') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(field, { target: { value: '' } });
    fireEvent.click(screen.getByTestId('group-save'));
    await waitFor(() => expect(sent('PATCH', '/api/admin/groups/g1')).toHaveLength(2));
    expect(sent('PATCH', '/api/admin/groups/g1').map((c) => c.body)).toEqual([{ retention_days: 90 }, { retention_days: null }]);
    await waitFor(() => expect((screen.getByTestId('group-save') as HTMLButtonElement).disabled).toBe(true));
    expect(field.value).toBe('');
  });

  it('shows the group’s retention, and sends only what changed with it', async () => {
    on('GET', '/api/admin/groups/g1', () => json(200, detail(group('g1', 'engineering', { retention_days: 30 }))));
    on('PATCH', '/api/admin/groups/g1', () => json(200, detail(group('g1', 'platform', { retention_days: 30 }))));
    at('/admin/groups/g1');
    const field = (await screen.findByTestId('group-edit-retention')) as HTMLInputElement;
    expect(field.value).toBe('30');
    fireEvent.change(screen.getByTestId('group-edit-name'), { target: { value: 'platform' } });
    fireEvent.click(screen.getByTestId('group-save'));
    await screen.findByText('Group platform saved.');
    expect(sent('PATCH', '/api/admin/groups/g1')[0]!.body).toEqual({ name: 'platform' });
  });
});

describe('who may use an agent', () => {
  const groups = () => [group('g1', 'engineering'), group('g2', 'sales', { agents: ['demo'] })];

  async function openAccess(agentId: string) {
    at('/admin/agents');
    await waitFor(() => expect(screen.getAllByTestId('agent-row')).toHaveLength(2));
    const row = screen.getAllByTestId('agent-row').find((r) => r.getAttribute('data-agent') === agentId)!;
    await waitFor(() => expect((within(row).getByTestId('agent-access-edit') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(within(row).getByTestId('agent-access-edit'));
    return screen.getByTestId('access-dialog');
  }
  const accessOf = (agentId: string) =>
    within(screen.getAllByTestId('agent-row').find((r) => r.getAttribute('data-agent') === agentId)!).getByTestId('agent-access').textContent;

  beforeEach(() => on('GET', '/api/admin/agents', () => json(200, AGENTS)));

  it('shows “Everyone” or the groups in the list, and restricts an agent to the chosen groups', async () => {
    on('GET', '/api/admin/groups', () => json(200, { items: groups() }), () => json(200, { items: [group('g1', 'engineering', { agents: ['fast'] }), groups()[1]] }));
    on('PUT', '/api/admin/agents/fast/groups', () => json(200, { agent_id: 'fast', groups: [{ id: 'g1', name: 'engineering' }] }));
    const dialog = await openAccess('fast');
    expect(accessOf('demo')).toBe('sales');
    expect(accessOf('fast')).toBe('Everyone');
    expect((within(dialog).getByTestId('access-everyone') as HTMLInputElement).checked).toBe(true);

    // Groups chosen, but none ticked: refused before sending.
    fireEvent.click(within(dialog).getByTestId('access-groups'));
    fireEvent.click(within(dialog).getByTestId('access-save'));
    expect(within(dialog).getByTestId('access-error').textContent).toBe('Choose at least one group, or make it available to everyone.');
    expect(sent('PUT', '/api/admin/agents/fast/groups')).toHaveLength(0);

    fireEvent.click(within(dialog).getAllByTestId('access-group').find((c) => c.getAttribute('data-group') === 'engineering')!);
    fireEvent.click(within(dialog).getByTestId('access-save'));
    await screen.findByText('Fast demo is available only to: engineering.');
    expect(sent('PUT', '/api/admin/agents/fast/groups').map((c) => c.body)).toEqual([{ groups: ['g1'] }]);
    expect(screen.queryByTestId('access-dialog')).toBeNull();
    await waitFor(() => expect(accessOf('fast')).toBe('engineering'));
  });

  it('makes a restricted agent available to everyone with an empty list', async () => {
    on('GET', '/api/admin/groups', () => json(200, { items: groups() }));
    on('PUT', '/api/admin/agents/demo/groups', () => json(200, { agent_id: 'demo', groups: [] }));
    const dialog = await openAccess('demo');
    const sales = within(dialog).getAllByTestId('access-group').find((c) => c.getAttribute('data-group') === 'sales') as HTMLInputElement;
    expect((within(dialog).getByTestId('access-groups') as HTMLInputElement).checked).toBe(true);
    expect(sales.checked).toBe(true);
    fireEvent.click(within(dialog).getByTestId('access-everyone'));
    fireEvent.click(within(dialog).getByTestId('access-save'));
    await screen.findByText('Demo is available to everyone.');
    expect(sent('PUT', '/api/admin/agents/demo/groups').map((c) => c.body)).toEqual([{ groups: [] }]);
  });
});
