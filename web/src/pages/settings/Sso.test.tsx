// Settings for accounts that sign in through single sign-on, over a mocked fetch: the linked
// identities from GET /api/auth/me, no password change for an account without a password, and
// the account's deletion confirmed by the username instead of the password (DELETE /api/auth/me
// with `{username}`).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import type { LinkedIdentity, Me } from '../../api';
import { endSession, startSession } from '../../api/session';
import { useAgents } from '../../stores/agents';
import { useDeletion } from '../../stores/deletion';
import { useRegistration } from '../../stores/registration';
import { formatDate } from '../../lib/time';
import { json, mockFetch, refusal } from '../../test/fetch';

const { default: SettingsPage } = await import('../SettingsPage');

const user = { id: 'u2', username: 'mia', role: 'user' as const, created_at: '2026-12-01T00:00:00Z', disabled: false };
const CORP: LinkedIdentity = {
  provider: 'corp',
  provider_name: 'Corp SSO',
  email: 'mia@corp.example',
  linked_at: '2026-12-01T08:00:00Z',
  last_login_at: '2026-12-04T09:15:00Z',
};
const me = (changes: Partial<Me> = {}): Me => ({
  ...user,
  groups: [{ id: 'g1', name: 'engineering' }],
  custom_instructions: null,
  delete_after: null,
  has_password: false,
  identities: [CORP],
  ...changes,
});

let server: ReturnType<typeof mockFetch>;

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  server = mockFetch();
  useDeletion.getState().reset();
  useRegistration.setState({ info: null, error: null });
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

const page = () =>
  render(
    <MemoryRouter initialEntries={['/settings']}>
      <SettingsPage />
    </MemoryRouter>,
  );

describe('the linked single sign-on identities', () => {
  it('lists each identity with its provider, email and dates', async () => {
    const partner: LinkedIdentity = { provider: 'partner', provider_name: 'Partner', email: null, linked_at: '2026-12-02T10:00:00Z', last_login_at: null };
    server.on('GET', '/api/auth/me', () => json(200, me({ identities: [CORP, partner] })));
    page();
    const block = await screen.findByTestId('settings-identities');
    expect(within(block).getByRole('heading', { name: 'Single sign-on' })).toBeTruthy();
    const rows = within(block).getAllByTestId('settings-identity');
    expect(rows.map((r) => r.getAttribute('data-provider'))).toEqual(['corp', 'partner']);
    expect(within(rows[0]!).getByTestId('settings-identity-provider').textContent).toBe('Corp SSO');
    expect(within(rows[0]!).getByTestId('settings-identity-email').textContent).toBe('mia@corp.example');
    expect(rows[0]!.textContent).toContain(`Linked ${formatDate(CORP.linked_at, 'en')}`);
    expect(rows[0]!.textContent).toContain(`Last sign-in ${formatDate(CORP.last_login_at, 'en')}`);
    // No email, never signed in since linking: only what is known.
    expect(within(rows[1]!).queryByTestId('settings-identity-email')).toBeNull();
    expect(rows[1]!.textContent).not.toContain('Last sign-in');
    // The groups (from the provider's claims, here) are listed as before.
    expect(screen.getAllByTestId('settings-group').map((g) => g.textContent)).toEqual(['engineering']);
  });

  it('shows no such block for an account without identities', async () => {
    server.on('GET', '/api/auth/me', () => json(200, me({ has_password: true, identities: [] })));
    page();
    await screen.findByTestId('settings-group');
    expect(screen.queryByTestId('settings-identities')).toBeNull();
    expect(screen.queryByTestId('settings-no-password')).toBeNull();
  });

  it('in Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    try {
      page();
      const block = await screen.findByTestId('settings-identities');
      expect(within(block).getByRole('heading', { name: '单点登录' })).toBeTruthy();
      expect(block.textContent).toContain(`关联于 ${formatDate(CORP.linked_at, 'zh-CN')}`);
      expect(screen.getByTestId('settings-no-password').textContent).toBe('你的账号通过 Corp SSO 登录，在这里没有密码。');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});

describe('an account without a password', () => {
  it('has no password change, a sentence instead; signing out everywhere stays', async () => {
    page();
    // The form shows until /api/auth/me says there is no password.
    expect(screen.getByTestId('password-form')).toBeTruthy();
    const line = await screen.findByTestId('settings-no-password');
    expect(line.textContent).toBe('Your account signs in through Corp SSO; it has no password here.');
    expect(screen.queryByTestId('password-form')).toBeNull();
    expect(screen.queryByTestId('password-current')).toBeNull();
    expect(screen.queryByText('Change password')).toBeNull();
    expect(screen.getByTestId('sign-out-everywhere')).toBeTruthy();
  });

  it('names every provider it signs in through, and says “single sign-on” when none is listed', async () => {
    const second: LinkedIdentity = { provider: 'partner', provider_name: 'Partner', linked_at: '2026-12-02T10:00:00Z' };
    server.on('GET', '/api/auth/me', () => json(200, me({ identities: [CORP, second] })));
    const { unmount } = page();
    expect((await screen.findByTestId('settings-no-password')).textContent).toBe('Your account signs in through Corp SSO or Partner; it has no password here.');
    unmount();
    server.on('GET', '/api/auth/me', () => json(200, me({ identities: [] })));
    page();
    expect((await screen.findByTestId('settings-no-password')).textContent).toBe('Your account signs in through single sign-on; it has no password here.');
  });

  it('confirms the deletion with the username, and sends `{username}`', async () => {
    server.on('DELETE', '/api/auth/me', () => json(202, { delete_after: '2026-12-11T09:30:00Z' }));
    page();
    await screen.findByTestId('settings-no-password');
    fireEvent.click(screen.getByTestId('delete-account'));
    const dialog = await screen.findByTestId('delete-dialog');
    expect(within(dialog).queryByTestId('delete-password')).toBeNull();
    const field = within(dialog).getByLabelText('Type your username to confirm') as HTMLInputElement;
    expect(field.getAttribute('data-testid')).toBe('delete-username');
    expect(field.type).toBe('text');
    const confirm = within(dialog).getByTestId('delete-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(field, { target: { value: ' mia ' } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await screen.findByTestId('deletion-banner');
    const sent = server.sent('DELETE', '/api/auth/me');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ username: 'mia' });
  });

  it('says so when the username typed is not the account’s', async () => {
    server.on('DELETE', '/api/auth/me', () => refusal(401, 'invalid_credentials', 'invalid username or password'));
    page();
    await screen.findByTestId('settings-no-password');
    fireEvent.click(screen.getByTestId('delete-account'));
    const dialog = await screen.findByTestId('delete-dialog');
    fireEvent.change(within(dialog).getByTestId('delete-username'), { target: { value: 'someone' } });
    fireEvent.click(within(dialog).getByTestId('delete-confirm'));
    expect((await within(dialog).findByTestId('delete-error')).textContent).toBe('That is not your username.');
    expect(server.sent('DELETE', '/api/auth/me')[0]!.body).toEqual({ username: 'someone' });
    expect(server.sent('POST', '/api/auth/refresh')).toHaveLength(0);
  });
});

describe('an account with a password and a linked identity', () => {
  it('keeps the password change and asks for the password to delete', async () => {
    server.on('GET', '/api/auth/me', () => json(200, me({ has_password: true })));
    server.on('DELETE', '/api/auth/me', () => json(202, { delete_after: '2026-12-11T09:30:00Z' }));
    page();
    await screen.findByTestId('settings-identity');
    expect(screen.getByTestId('password-form')).toBeTruthy();
    expect(screen.queryByTestId('settings-no-password')).toBeNull();
    fireEvent.click(screen.getByTestId('delete-account'));
    const dialog = await screen.findByTestId('delete-dialog');
    expect(within(dialog).queryByTestId('delete-username')).toBeNull();
    fireEvent.change(within(dialog).getByTestId('delete-password'), { target: { value: 'my passphrase' } });
    fireEvent.click(within(dialog).getByTestId('delete-confirm'));
    await waitFor(() => expect(server.sent('DELETE', '/api/auth/me')).toHaveLength(1));
    expect(server.sent('DELETE', '/api/auth/me')[0]!.body).toEqual({ password: 'my passphrase' });
  });
});

describe('a server whose local passwords are switched off', () => {
  it('offers no password change, and says why', async () => {
    server.on('GET', '/api/auth/me', () => json(200, me({ has_password: true })));
    server.on('GET', '/api/auth/registration', () =>
      json(200, { mode: 'closed', first_account_admin: false, needs_admin: false, has_accounts: true, password_login: false, providers: [] }),
    );
    page();
    const note = await screen.findByTestId('settings-passwords-off');
    expect(note.textContent).toContain('Passwords are switched off on this server');
    expect(screen.queryByTestId('password-form')).toBeNull();
    // Deleting the account still asks for the password it has.
    fireEvent.click(screen.getByTestId('delete-account'));
    const dialog = await screen.findByTestId('delete-dialog');
    expect(within(dialog).getByTestId('delete-password')).toBeTruthy();
  });
});
