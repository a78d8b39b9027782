// The share dialog over a mocked fetch: what it sends to create and revoke links, and what it shows.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from '../i18n';
import { endSession, startSession } from '../api/session';
import type { Share } from '../api';
import { json, mockFetch, noContent, refusal } from '../test/fetch';
import { ShareDialog } from './ShareDialog';

const share = (id: string, changes: Partial<Share> = {}): Share => ({
  id,
  path: `/share/${id}`,
  conversation_id: 'c1',
  title: 'Trip to Beijing',
  message_count: 2,
  members_only: false,
  created_at: '2026-12-02T10:00:00Z',
  expires_at: null,
  revoked_at: null,
  status: 'live',
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
    user: { id: 'u1', username: 'ada', role: 'user', created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const open = () => render(<ShareDialog conversationId="c1" title="Trip to Beijing" onClose={() => undefined} />);

describe('the share dialog', () => {
  it('lists the conversation’s links with their status', async () => {
    server.on('GET', '/api/conversations/c1/shares', () =>
      json(200, { items: [share('tok1', { members_only: true, expires_at: '2026-12-09T10:00:00Z' }), share('tok0', { status: 'revoked' })] }),
    );
    open();
    const rows = await screen.findAllByTestId('share-link');
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['live', 'revoked']);
    expect(rows[0]!.textContent).toContain('Live');
    expect(rows[0]!.textContent).toContain('Members only');
    expect(rows[0]!.textContent).toContain('2 messages');
    expect(rows[1]!.textContent).toContain('Revoked');
    // Only a live link can be copied or revoked.
    expect(within(rows[0]!).queryByTestId('share-revoke')).not.toBeNull();
    expect(within(rows[1]!).queryByTestId('share-revoke')).toBeNull();
  });

  it('sends the expiry and members-only choice, then shows the full link to copy', async () => {
    server.on('GET', '/api/conversations/c1/shares', () => json(200, { items: [] }));
    server.on('POST', '/api/conversations/c1/shares', () => json(201, share('tok2', { members_only: true, expires_at: '2026-12-09T10:00:00Z' })));
    open();
    await screen.findByText('No links yet.');
    fireEvent.change(screen.getByTestId('share-expiry'), { target: { value: '7' } });
    fireEvent.click(screen.getByTestId('share-members-only'));
    fireEvent.click(screen.getByTestId('share-create'));
    expect((await screen.findByTestId('share-url')).textContent).toBe(`${window.location.origin}/share/tok2`);
    const posts = server.sent('POST', '/api/conversations/c1/shares');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ expires_in_days: 7, members_only: true });
    expect(posts[0]!.authorization).toBe('Bearer token');
    expect(screen.getAllByTestId('share-link').map((r) => r.getAttribute('data-id'))).toEqual(['tok2']);
  });

  it('sends no expiry for a link that never expires', async () => {
    server.on('GET', '/api/conversations/c1/shares', () => json(200, { items: [] }));
    server.on('POST', '/api/conversations/c1/shares', () => json(201, share('tok3')));
    open();
    fireEvent.click(screen.getByTestId('share-create'));
    await screen.findByTestId('share-url');
    expect(server.sent('POST', '/api/conversations/c1/shares')[0]!.body).toEqual({ members_only: false });
  });

  it('shows the server’s message when there is nothing to share yet', async () => {
    server.on('GET', '/api/conversations/c1/shares', () => json(200, { items: [] }));
    server.on('POST', '/api/conversations/c1/shares', () =>
      refusal(422, 'invalid', 'conversation: has no messages to share yet', 'conversation'),
    );
    open();
    fireEvent.click(screen.getByTestId('share-create'));
    expect((await screen.findByTestId('share-error')).textContent).toBe('Has no messages to share yet');
    expect(screen.queryByTestId('share-url')).toBeNull();
  });

  it('revokes a link with DELETE after asking, and shows it revoked', async () => {
    server.on('GET', '/api/conversations/c1/shares', () => json(200, { items: [share('tok1')] }));
    server.on('DELETE', '/api/shares/tok1', () => noContent());
    open();
    fireEvent.click(await screen.findByTestId('share-revoke'));
    expect(server.sent('DELETE', '/api/shares/tok1')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('share-link').getAttribute('data-status')).toBe('revoked'));
    expect(server.sent('DELETE', '/api/shares/tok1')).toHaveLength(1);
    expect(screen.getByTestId('share-status').textContent).toBe('Revoked');
    expect(screen.queryByTestId('share-revoke')).toBeNull();
  });
});
