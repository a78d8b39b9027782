// The admin console's shared presets dialog over a mocked fetch: it lists the agent's shared
// presets only, creates them with `shared: true` and the agent, and deletes after a confirmation.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from '../../i18n';
import '../../i18n/admin';
import type { AdminAgent, Preset } from '../../api';
import { endSession, startSession } from '../../api/session';
import { json, mockFetch, noContent, refusal } from '../../test/fetch';
import { SharedPresetsDialog } from './AgentPresets';

const agent = { id: 'demo', name: 'Demo' } as AdminAgent;
const preset = (id: string, changes: Partial<Preset> = {}): Preset => ({
  id,
  title: `Preset ${id}`,
  content: `Text of ${id}`,
  agent_id: 'demo',
  shared: true,
  created_at: '2026-12-02T10:00:00Z',
  updated_at: '2026-12-02T10:00:00Z',
  ...changes,
});

let server: ReturnType<typeof mockFetch>;
beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  server = mockFetch();
  startSession({
    access_token: 'token',
    refresh_token: '',
    token_type: 'Bearer',
    expires_in: 3600,
    user: { id: 'a1', username: 'admin', role: 'admin', created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const open = (onClose = () => undefined) => render(<SharedPresetsDialog agent={agent} onClose={onClose} />);

describe('the shared presets dialog', () => {
  it('lists the agent’s shared presets, not the admin’s own', async () => {
    server.on('GET', '/api/presets', () =>
      json(200, { items: [preset('mine', { shared: false, agent_id: null }), preset('s1'), preset('mine2', { shared: false })] }),
    );
    open();
    const rows = await screen.findAllByTestId('shared-preset');
    expect(rows.map((r) => r.getAttribute('data-id'))).toEqual(['s1']);
    expect(server.sent('GET', '/api/presets')[0]!.query).toBe('?agent_id=demo');
    expect(screen.getByTestId('presets-dialog').textContent).toContain('Shared presets of Demo');
  });

  it('creates a shared preset for the agent: shared: true and its agent_id', async () => {
    server.on('GET', '/api/presets', () => json(200, { items: [] }));
    server.on('POST', '/api/presets', (call) => json(201, preset('s2', call.body as Partial<Preset>)));
    open();
    await screen.findByTestId('shared-presets-empty');
    fireEvent.change(screen.getByTestId('shared-preset-title'), { target: { value: ' Weekly report ' } });
    fireEvent.change(screen.getByTestId('shared-preset-content'), { target: { value: 'Write the weekly report from these notes:' } });
    fireEvent.click(screen.getByTestId('shared-preset-create'));
    expect((await screen.findByTestId('shared-presets-notice')).textContent).toBe('Shared preset “Weekly report” added.');
    const posts = server.sent('POST', '/api/presets');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ title: 'Weekly report', content: 'Write the weekly report from these notes:', agent_id: 'demo', shared: true });
    expect(posts[0]!.authorization).toBe('Bearer token');
    expect(screen.getAllByTestId('shared-preset').map((r) => r.getAttribute('data-id'))).toEqual(['s2']);
    expect((screen.getByTestId('shared-preset-title') as HTMLInputElement).value).toBe('');
  });

  it('shows the server’s refusal', async () => {
    server.on('GET', '/api/presets', () => json(200, { items: [] }));
    server.on('POST', '/api/presets', () => refusal(422, 'validation', 'title: must be 1–100 characters', 'title'));
    open();
    await screen.findByTestId('shared-presets-empty');
    fireEvent.change(screen.getByTestId('shared-preset-title'), { target: { value: 'T' } });
    fireEvent.change(screen.getByTestId('shared-preset-content'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('shared-preset-create'));
    expect((await screen.findByTestId('field-error')).textContent).toBe('Must be 1–100 characters');
  });

  it('deletes after a confirmation, and closes', async () => {
    server.on('GET', '/api/presets', () => json(200, { items: [preset('s1')] }));
    server.on('DELETE', '/api/presets/s1', () => noContent());
    const onClose = vi.fn();
    open(onClose);
    fireEvent.click(await screen.findByTestId('shared-preset-delete'));
    const confirm = screen.getByTestId('confirm-dialog');
    expect(confirm.textContent).toContain('“Preset s1” is deleted for everyone who uses this agent.');
    fireEvent.click(within(confirm).getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.queryByTestId('shared-preset')).toBeNull());
    expect(server.sent('DELETE', '/api/presets/s1')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('shared-presets-close'));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
