// The public page of a share link, over a mocked fetch: signed out or in, found or not.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../i18n';
import { endSession, startSession } from '../api/session';
import type { SharedConversation } from '../api';
import { useAuth } from '../stores/auth';
import { json, mockFetch, refusal } from '../test/fetch';
import SharePage from './SharePage';

const SHARED: SharedConversation = {
  id: 'tok1',
  title: 'Trip to Beijing',
  agent_id: 'demo',
  agent_name: 'Demo',
  shared_by: 'Ada',
  shared_at: '2026-12-02T10:00:00Z',
  expires_at: null,
  members_only: false,
  messages: [
    {
      role: 'user',
      // Attachments carry no file id in a snapshot.
      content: [{ type: 'attachment', name: 'plan.txt', mime: 'text/plain', size: 2048 } as never, { type: 'text', text: 'Where should we go?' }],
      status: 'complete',
      created_at: '2026-12-02T09:00:00Z',
    },
    {
      role: 'assistant',
      content: [{ type: 'text', text: 'See the **Forbidden City** first.\n\n- Temple of Heaven' }],
      status: 'complete',
      agent_id: 'demo',
      created_at: '2026-12-02T09:00:01Z',
    },
  ],
};

let server: ReturnType<typeof mockFetch>;
beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  server = mockFetch();
  useAuth.setState({ status: 'signed_out', user: null, ended: null });
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

function at(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/share/:id" element={<SharePage />} />
        <Route path="/login" element={<p>login page</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('a shared conversation', () => {
  it('shows the title, the agent, who shared it, and the messages read-only, to a visitor', async () => {
    server.on('GET', '/api/shared/tok1', () => json(200, SHARED));
    at('/share/tok1');
    expect((await screen.findByTestId('share-title')).textContent).toBe('Trip to Beijing');
    expect(screen.getByTestId('share-agent').textContent).toBe('Demo');
    expect(screen.getByTestId('share-by').textContent).toMatch(/^Shared by Ada on /);
    expect(screen.getByTestId('shared-user').textContent).toContain('Where should we go?');
    expect(screen.getByTestId('shared-attachment').textContent).toBe('plan.txt');
    const answer = screen.getByTestId('shared-assistant');
    expect(answer.querySelector('strong')?.textContent).toBe('Forbidden City');
    expect(answer.querySelector('li')?.textContent).toBe('Temple of Heaven');
    // Read-only: nothing to edit, rate or regenerate.
    expect(screen.queryByTestId('edit-message')).toBeNull();
    expect(screen.queryByTestId('regenerate')).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.getAllByTestId('share-open-app')[0]!.getAttribute('href')).toBe('/');
    // A visitor sends no token.
    expect(server.sent('GET', '/api/shared/tok1')[0]!.authorization).toBeNull();
  });

  it('sends the token of a signed-in reader (members-only links)', async () => {
    server.on('GET', '/api/shared/tok1', () => json(200, { ...SHARED, members_only: true }));
    startSession({
      access_token: 'token',
      refresh_token: '',
      token_type: 'Bearer',
      expires_in: 3600,
      user: { id: 'u2', username: 'bob', role: 'user', created_at: '2026-12-01T00:00:00Z', disabled: false },
    });
    at('/share/tok1');
    await screen.findByTestId('share-title');
    expect(server.sent('GET', '/api/shared/tok1')[0]!.authorization).toBe('Bearer token');
    expect(screen.getByText('Members only')).toBeTruthy();
  });

  it('waits for the session to be known before asking', () => {
    useAuth.setState({ status: 'loading' });
    at('/share/tok1');
    expect(screen.getByRole('status').textContent).toContain('Loading');
    expect(server.calls).toHaveLength(0);
  });

  it('says so when the link does not exist, was revoked or has expired', async () => {
    server.on('GET', '/api/shared/gone', () => refusal(404, 'not_found', 'not found'));
    at('/share/gone');
    const screenText = (await screen.findByTestId('share-not-found')).textContent;
    expect(screenText).toContain('This link does not exist, was revoked or has expired.');
    expect(screen.queryByTestId('share-title')).toBeNull();
  });

  it('asks a visitor to sign in for a members-only link, and comes back after', async () => {
    server.on('GET', '/api/shared/tok1', () =>
      refusal(401, 'sign_in_required', 'this conversation is shared with signed-in members only: sign in to see it'),
    );
    at('/share/tok1');
    const prompt = await screen.findByTestId('share-sign-in');
    expect(prompt.textContent).toContain('It is shared with signed-in members of this server only.');
    expect(screen.getByTestId('share-sign-in-link').getAttribute('href')).toBe('/login?next=%2Fshare%2Ftok1');
    expect(screen.queryByTestId('share-title')).toBeNull();
  });
});
