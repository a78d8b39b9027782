// Custom instructions and prompt presets in Settings, over a mocked fetch: what the screens send
// (PATCH /api/auth/me, POST/PATCH/DELETE /api/presets) and how they show the server's answers.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import type { Me, Preset, Role } from '../../api';
import { endSession, startSession } from '../../api/session';
import { useAgents } from '../../stores/agents';
import '../../stores/auth';
import { json, mockFetch, noContent, refusal } from '../../test/fetch';

const { default: SettingsPage } = await import('../SettingsPage');

const user = (role: Role) => ({ id: 'u1', username: 'ada', role, created_at: '2026-12-01T00:00:00Z', disabled: false });
const me = (instructions: string | null): Me => ({ ...user('user'), groups: [], custom_instructions: instructions, has_password: true, identities: [] });
const preset = (id: string, changes: Partial<Preset> = {}): Preset => ({
  id,
  title: `Preset ${id}`,
  content: `Text of ${id}`,
  agent_id: null,
  shared: false,
  created_at: '2026-12-02T10:00:00Z',
  updated_at: '2026-12-02T10:00:00Z',
  ...changes,
});

let server: ReturnType<typeof mockFetch>;
function signIn(role: Role) {
  startSession({ access_token: 'token', refresh_token: '', token_type: 'Bearer', expires_in: 3600, user: user(role) });
}

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  server = mockFetch();
  signIn('user');
  useAgents.setState({
    loaded: true,
    error: null,
    agents: [
      { id: 'demo', name: 'Demo', description: '', capabilities: [], provider: 'demo', enabled: true },
      { id: 'gpt', name: 'GPT', description: '', capabilities: [], provider: 'openai', enabled: true },
    ] as never,
  });
  server.on('GET', '/api/auth/me', () => json(200, me('I am a data engineer.')));
  server.on('GET', '/api/keys', () => json(200, { items: [] }));
  server.on('GET', '/api/uploads', () => json(200, { items: [], next_cursor: null }));
  server.on('GET', '/api/uploads/usage', () => json(200, { files: 0, used_bytes: 0, quota_bytes: 1 << 30, retention_seconds: null }));
  server.on('GET', '/api/shares', () => json(200, { items: [] }));
  server.on('GET', '/api/presets', () => json(200, { items: [] }));
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const page = () =>
  render(
    <MemoryRouter>
      <SettingsPage />
    </MemoryRouter>,
  );

/** The instructions box once /api/auth/me answered (it is read-only until then). */
async function loadedInstructions() {
  await waitFor(() => expect((screen.getByTestId('instructions-input') as HTMLTextAreaElement).value).toBe('I am a data engineer.'));
  const box = screen.getByTestId('instructions-input') as HTMLTextAreaElement;
  expect(box.readOnly).toBe(false);
  return box;
}

describe('custom instructions', () => {
  it('shows the saved ones with their length, and saves the change with PATCH /api/auth/me', async () => {
    server.on('PATCH', '/api/auth/me', (call) => json(200, me((call.body as { custom_instructions: string }).custom_instructions)));
    page();
    const box = await loadedInstructions();
    expect(screen.getByTestId('instructions-count').textContent).toBe('21 / 4,000 characters');
    expect((screen.getByTestId('instructions-save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('instructions-section').textContent).toContain('not added to API calls (/v1)');

    fireEvent.change(box, { target: { value: '  Answer in French.  ' } });
    expect(screen.getByTestId('instructions-count').textContent).toBe('17 / 4,000 characters');
    fireEvent.click(screen.getByTestId('instructions-save'));
    expect((await screen.findByTestId('instructions-notice')).textContent).toBe('Custom instructions saved. They apply from your next message.');
    const patches = server.sent('PATCH', '/api/auth/me');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toEqual({ custom_instructions: 'Answer in French.' });
    expect(patches[0]!.authorization).toBe('Bearer token');
    expect(box.value).toBe('Answer in French.');
  });

  it('shows the server’s 422 on the field', async () => {
    server.on('PATCH', '/api/auth/me', () => refusal(422, 'validation', 'custom_instructions: must be at most 4000 characters', 'custom_instructions'));
    page();
    const box = await loadedInstructions();
    const long = 'x'.repeat(4001);
    fireEvent.change(box, { target: { value: long } });
    expect(screen.getByTestId('instructions-count').className).toContain('over');
    fireEvent.click(screen.getByTestId('instructions-save'));
    expect((await screen.findByTestId('instructions-error')).textContent).toBe('Must be at most 4000 characters');
    expect(server.sent('PATCH', '/api/auth/me')[0]!.body).toEqual({ custom_instructions: long });
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(box.getAttribute('aria-describedby')).toContain(screen.getByTestId('instructions-error').id);
    // The text stays, to be shortened.
    expect(box.value).toBe(long);
  });

  it('Clear sends null', async () => {
    server.on('PATCH', '/api/auth/me', () => json(200, me(null)));
    page();
    const box = await loadedInstructions();
    fireEvent.click(screen.getByTestId('instructions-clear'));
    expect((await screen.findByTestId('instructions-notice')).textContent).toBe('Custom instructions cleared.');
    expect(server.sent('PATCH', '/api/auth/me')[0]!.body).toEqual({ custom_instructions: null });
    expect(box.value).toBe('');
  });
});

describe('prompt presets', () => {
  it('creates a preset for any agent without agent_id, and one for an agent with it', async () => {
    let next = 0;
    server.on('POST', '/api/presets', (call) => {
      const body = call.body as { title: string; content: string; agent_id?: string };
      return json(201, preset(`p${++next}`, { title: body.title, content: body.content, agent_id: body.agent_id ?? null }));
    });
    page();
    await screen.findByTestId('presets-empty');
    const form = screen.getByTestId('preset-form');
    // "Any agent" first, then the agents the user may use.
    const select = within(form).getByTestId('preset-agent-select') as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => [o.value, o.textContent])).toEqual([
      ['', 'Any agent'],
      ['demo', 'Demo'],
      ['gpt', 'GPT'],
    ]);
    fireEvent.change(within(form).getByTestId('preset-title-input'), { target: { value: ' Translate ' } });
    fireEvent.change(within(form).getByTestId('preset-content-input'), { target: { value: 'Translate into Chinese:\n' } });
    fireEvent.click(within(form).getByTestId('preset-save'));
    await screen.findByText('Preset “Translate” added.');
    expect(server.sent('POST', '/api/presets')[0]!.body).toEqual({ title: 'Translate', content: 'Translate into Chinese:' });

    // The form is empty again; this one is for GPT.
    expect((screen.getByTestId('preset-title-input') as HTMLInputElement).value).toBe('');
    fireEvent.change(screen.getByTestId('preset-title-input'), { target: { value: 'Review' } });
    fireEvent.change(screen.getByTestId('preset-content-input'), { target: { value: 'Review this code:' } });
    fireEvent.change(screen.getByTestId('preset-agent-select'), { target: { value: 'gpt' } });
    fireEvent.click(screen.getByTestId('preset-save'));
    await screen.findByText('Preset “Review” added.');
    expect(server.sent('POST', '/api/presets')[1]!.body).toEqual({ title: 'Review', content: 'Review this code:', agent_id: 'gpt' });

    const rows = screen.getAllByTestId('preset-row');
    expect(rows.map((r) => within(r).getByTestId('preset-title').textContent)).toEqual(['Review', 'Translate']);
    expect(rows.map((r) => within(r).getByTestId('preset-agent').textContent)).toEqual(['GPT', 'Any agent']);
  });

  it('shows the server’s 422 on the field it names', async () => {
    server.on('POST', '/api/presets', () => refusal(422, 'validation', 'content: must be 1–8000 characters', 'content'));
    page();
    await screen.findByTestId('presets-empty');
    fireEvent.change(screen.getByTestId('preset-title-input'), { target: { value: 'T' } });
    fireEvent.change(screen.getByTestId('preset-content-input'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('preset-save'));
    const error = await within(screen.getByTestId('preset-form')).findByTestId('field-error');
    expect(error.textContent).toBe('Must be 1–8000 characters');
    expect(screen.getByTestId('preset-content-input').getAttribute('aria-invalid')).toBe('true');
  });

  it('edits the title and text (not the agent) with PATCH, and deletes after a confirmation', async () => {
    server.on('GET', '/api/presets', () => json(200, { items: [preset('p1', { agent_id: 'demo' })] }));
    server.on('PATCH', '/api/presets/p1', (call) => json(200, preset('p1', { ...(call.body as object), agent_id: 'demo' })));
    server.on('DELETE', '/api/presets/p1', () => noContent());
    page();
    fireEvent.click(await screen.findByTestId('preset-edit'));
    const form = screen.getByTestId('preset-form');
    expect(form.getAttribute('data-mode')).toBe('edit');
    expect((within(form).getByTestId('preset-agent-select') as HTMLSelectElement).disabled).toBe(true);
    expect((within(form).getByTestId('preset-agent-select') as HTMLSelectElement).value).toBe('demo');
    fireEvent.change(within(form).getByTestId('preset-title-input'), { target: { value: 'Renamed' } });
    fireEvent.click(within(form).getByTestId('preset-save'));
    await screen.findByText('Preset “Renamed” saved.');
    expect(server.sent('PATCH', '/api/presets/p1')[0]!.body).toEqual({ title: 'Renamed', content: 'Text of p1' });
    expect(screen.getByTestId('preset-form').getAttribute('data-mode')).toBe('new');

    fireEvent.click(screen.getByTestId('preset-delete'));
    expect(server.sent('DELETE', '/api/presets/p1')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await screen.findByText('Preset “Renamed” deleted.');
    expect(server.sent('DELETE', '/api/presets/p1')).toHaveLength(1);
    expect(screen.queryByTestId('preset-row')).toBeNull();
  });

  it('marks admins’ shared presets, which only admins may change', async () => {
    server.on('GET', '/api/presets', () => json(200, { items: [preset('own'), preset('team', { shared: true, agent_id: 'gpt' })] }));
    const { unmount } = page();
    const rows = await screen.findAllByTestId('preset-row');
    expect(within(rows[1]!).getByTestId('preset-shared').textContent).toBe('shared');
    expect(within(rows[1]!).getByTestId('preset-agent').textContent).toBe('GPT');
    expect(within(rows[1]!).queryByTestId('preset-edit')).toBeNull();
    expect(within(rows[1]!).queryByTestId('preset-delete')).toBeNull();
    expect(rows[1]!.textContent).toContain('Managed by an administrator');
    expect(within(rows[0]!).queryByTestId('preset-shared')).toBeNull();
    expect(within(rows[0]!).queryByTestId('preset-edit')).not.toBeNull();
    unmount();

    signIn('admin');
    page();
    const adminRows = await screen.findAllByTestId('preset-row');
    expect(within(adminRows[1]!).queryByTestId('preset-edit')).not.toBeNull();
    expect(within(adminRows[1]!).queryByTestId('preset-delete')).not.toBeNull();
  });
});
