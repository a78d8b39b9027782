// "Your data" in Settings, over a mocked fetch: the export's download (GET /api/auth/export,
// saved under the server's file name), and the account's deletion (DELETE /api/auth/me with the
// password): the banner with the date and its cancel (POST /api/auth/me/restore), the refusals
// in the dialog, and the sign-out when the server deletes at once (204).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import type { Me } from '../../api';
import { dispositionFilename } from '../../api/auth';
import { endSession, getSession, startSession } from '../../api/session';
import { useAgents } from '../../stores/agents';
import { useAuth } from '../../stores/auth';
import { useDeletion } from '../../stores/deletion';
import { formatDate } from '../../lib/time';
import { json, mockFetch, noContent, refusal } from '../../test/fetch';

const { default: SettingsPage } = await import('../SettingsPage');
const { RequireAuth } = await import('../../App');

const user = { id: 'u1', username: 'ada', role: 'user' as const, created_at: '2026-12-01T00:00:00Z', disabled: false };
const me = (deleteAfter: string | null = null): Me => ({ ...user, groups: [], custom_instructions: null, delete_after: deleteAfter, has_password: true, identities: [] });
const DELETE_AFTER = '2026-12-11T09:30:00Z';

let server: ReturnType<typeof mockFetch>;

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  server = mockFetch();
  useDeletion.getState().reset();
  startSession({ access_token: 'token', refresh_token: '', token_type: 'Bearer', expires_in: 3600, user });
  useAgents.setState({ loaded: true, error: null, agents: [] });
  server.on('GET', '/api/auth/me', () => json(200, me()));
  server.on('GET', '/api/keys', () => json(200, { items: [] }));
  server.on('GET', '/api/uploads', () => json(200, { items: [], next_cursor: null }));
  server.on('GET', '/api/uploads/usage', () => json(200, { files: 0, used_bytes: 0, quota_bytes: 1 << 30, retention_seconds: null }));
  server.on('GET', '/api/shares', () => json(200, { items: [] }));
  server.on('GET', '/api/presets', () => json(200, { items: [] }));
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** Settings behind the sign-in guard, with a sign-in page to land on. */
const page = () =>
  render(
    <MemoryRouter initialEntries={['/settings']}>
      <Routes>
        <Route
          path="/settings"
          element={
            <RequireAuth>
              <SettingsPage />
            </RequireAuth>
          }
        />
        <Route path="/login" element={<p data-testid="login-page">Sign in</p>} />
      </Routes>
    </MemoryRouter>,
  );

/** Bytes that start as a zip does ("PK"). */
const zip = (size: number) => new Uint8Array(size).fill(7, 2).fill(0x50, 0, 1).fill(0x4b, 1, 2);

describe('downloading all my data', () => {
  it('fetches the archive with the token and saves it under the server’s file name', async () => {
    // The answer waits: the button shows the work meanwhile.
    let answer: (response: Response) => void = () => undefined;
    const pending = new Promise<Response>((resolve) => (answer = resolve));
    server.on('GET', '/api/auth/export', () => pending as unknown as Response);
    const created: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => (created.push(blob), 'blob:http://localhost/export'));
    const revokeObjectURL = vi.fn();
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL }));
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    page();
    await screen.findByTestId('settings-data');
    const button = screen.getByTestId('export-data') as HTMLButtonElement;
    fireEvent.click(button);
    await waitFor(() => expect(button.disabled).toBe(true));
    expect(button.textContent).toContain('Preparing your archive…');
    expect(button.getAttribute('aria-busy')).toBe('true');

    await act(async () =>
      answer(
        new Response(zip(2048), {
          status: 200,
          headers: {
            'content-type': 'application/zip',
            'content-disposition': 'attachment; filename="llmchat-export-ada-2026-12-04.zip"',
          },
        }),
      ),
    );
    expect((await screen.findByTestId('export-message')).textContent).toBe('Downloaded llmchat-export-ada-2026-12-04.zip (2.0 KB).');
    const request = server.sent('GET', '/api/auth/export');
    expect(request).toHaveLength(1);
    expect(request[0]!.authorization).toBe('Bearer token');
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe('llmchat-export-ada-2026-12-04.zip');
    expect(clicked[0]!.href).toBe('blob:http://localhost/export');
    expect(created).toHaveLength(1);
    expect(created[0]!.size).toBe(2048);
    expect(created[0]!.type).toBe('application/zip');
    // The link is gone from the page, and the button is back.
    expect(clicked[0]!.isConnected).toBe(false);
    expect(button.disabled).toBe(false);
    expect(button.textContent).toContain('Download all my data');
  });

  it('shows a refusal (an API key’s 403) and saves nothing', async () => {
    server.on('GET', '/api/auth/export', () => refusal(403, 'forbidden', 'exporting your data takes a signed-in session, not an API key'));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    page();
    fireEvent.click(await screen.findByTestId('export-data'));
    expect((await screen.findByTestId('export-message')).textContent).toContain('exporting your data takes a signed-in session');
    expect(click).not.toHaveBeenCalled();
  });

  it('reads the file name from Content-Disposition, UTF-8 names included', () => {
    expect(dispositionFilename('attachment; filename="llmchat-export-ada-2026-12-04.zip"')).toBe('llmchat-export-ada-2026-12-04.zip');
    expect(dispositionFilename('attachment; filename="llmchat-export-___-2026-12-04.zip"; filename*=UTF-8\'\'llmchat-export-%E5%BC%A0%E4%B8%89-2026-12-04.zip')).toBe(
      'llmchat-export-张三-2026-12-04.zip',
    );
    expect(dispositionFilename('attachment; filename=plain.zip')).toBe('plain.zip');
    expect(dispositionFilename('attachment')).toBeNull();
    expect(dispositionFilename(null)).toBeNull();
  });
});

/** Opens the dialog, types the password and confirms. */
async function askDeletion(password = 'my passphrase') {
  fireEvent.click(await screen.findByTestId('delete-account'));
  const dialog = await screen.findByTestId('delete-dialog');
  expect(dialog.textContent).toContain('After a grace period (usually 7 days)');
  expect(dialog.textContent).toContain('Your API keys and your sessions on other devices end at once.');
  fireEvent.change(within(dialog).getByTestId('delete-password'), { target: { value: password } });
  fireEvent.click(within(dialog).getByTestId('delete-confirm'));
  return dialog;
}

describe('deleting my account', () => {
  it('sends the password; after 202 the banner gives the date, and Cancel deletion restores the account', async () => {
    server.on('DELETE', '/api/auth/me', () => json(202, { delete_after: DELETE_AFTER }));
    server.on('POST', '/api/auth/me/restore', () => noContent());
    page();
    await waitFor(() => expect(server.sent('GET', '/api/auth/me')).toHaveLength(1));
    expect(screen.queryByTestId('deletion-banner')).toBeNull();
    await askDeletion();

    const banner = await screen.findByTestId('deletion-banner');
    expect(banner.textContent).toContain(`Your account will be deleted on ${formatDate(DELETE_AFTER, 'en')}.`);
    expect(screen.queryByTestId('delete-dialog')).toBeNull();
    const sent = server.sent('DELETE', '/api/auth/me');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ password: 'my passphrase' });
    expect(sent[0]!.authorization).toBe('Bearer token');
    // Still signed in; asking again makes no sense meanwhile.
    expect(getSession()).not.toBeNull();
    expect((screen.getByTestId('delete-account') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(within(banner).getByTestId('deletion-cancel'));
    await waitFor(() => expect(screen.queryByTestId('deletion-banner')).toBeNull());
    expect(server.sent('POST', '/api/auth/me/restore')).toHaveLength(1);
    expect((screen.getByTestId('delete-account') as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows the banner when /api/auth/me says a deletion is scheduled', async () => {
    server.on('GET', '/api/auth/me', () => json(200, me(DELETE_AFTER)));
    page();
    const banner = await screen.findByTestId('deletion-banner');
    expect(banner.getAttribute('data-delete-after')).toBe(DELETE_AFTER);
    expect(screen.getByTestId('delete-already').textContent).toBe('Your account is already scheduled for deletion.');
  });

  it('shows a wrong password in the dialog, without refreshing the session or signing out', async () => {
    server.on('DELETE', '/api/auth/me', () => refusal(401, 'invalid_credentials', 'invalid username or password'));
    page();
    const dialog = await askDeletion('wrong');
    expect((await within(dialog).findByTestId('delete-error')).textContent).toBe('Wrong password.');
    expect(server.sent('POST', '/api/auth/refresh')).toHaveLength(0);
    expect(getSession()).not.toBeNull();
    expect(useAuth.getState().status).toBe('signed_in');
    expect(screen.queryByTestId('deletion-banner')).toBeNull();
    // The password can be typed again.
    expect((within(dialog).getByTestId('delete-confirm') as HTMLButtonElement).disabled).toBe(false);
  });

  it('explains the 409 of the last admin in the dialog', async () => {
    server.on('DELETE', '/api/auth/me', () =>
      refusal(409, 'conflict', 'the last active admin cannot delete their account: make another admin first'),
    );
    page();
    const dialog = await askDeletion();
    expect((await within(dialog).findByTestId('delete-error')).textContent).toBe(
      'You are the last administrator: make another account an administrator before deleting yours.',
    );
    expect(getSession()).not.toBeNull();
  });

  it('after 204 (no grace period) signs out and goes to the sign-in page', async () => {
    server.on('DELETE', '/api/auth/me', () => noContent());
    server.on('POST', '/api/auth/logout', () => noContent());
    page();
    await askDeletion();
    await screen.findByTestId('login-page');
    expect(getSession()).toBeNull();
    expect(useAuth.getState()).toMatchObject({ status: 'signed_out', ended: 'deleted' });
    expect(server.sent('POST', '/api/auth/logout')).toHaveLength(1);
    expect(screen.queryByTestId('deletion-banner')).toBeNull();
  });
});
