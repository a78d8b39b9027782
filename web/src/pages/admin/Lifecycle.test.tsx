// The data lifecycle on the System page, over a mocked fetch: the dry run's counts
// (GET /api/admin/lifecycle) with a refresh, and "Run now" (POST /api/admin/lifecycle/run)
// behind a confirmation, showing what it deleted.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import '../../i18n/admin';
import type { LifecyclePreview } from '../../api';
import { endSession, startSession } from '../../api/session';
import { json, mockFetch, refusal } from '../../test/fetch';
import SystemPage from './SystemPage';

let server: ReturnType<typeof mockFetch>;

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  server = mockFetch();
  startSession({
    access_token: 'token',
    refresh_token: '',
    token_type: 'Bearer',
    expires_in: 3600,
    user: { id: 'admin-id', username: 'admin', role: 'admin', created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
  // The rest of the page; its sections say what failed on their own.
  server.on('GET', '/api/health', () => json(200, { status: 'ok', environment: 'test', uptime_s: 60, version: '1.0.0' }));
  server.on('GET', '/api/admin/groups', () => json(200, { items: [] }));
  server.on('GET', '/api/admin/invitations', () => json(200, { items: [] }));
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const preview = (changes: Partial<LifecyclePreview> = {}): LifecyclePreview => ({
  accounts_due: 2,
  conversations_due: 1234,
  orphan_uploads_due: 5,
  groups: [
    { id: 'g1', name: 'interns', retention_days: 30, conversations_due: 1200 },
    { id: 'g2', name: 'contractors', retention_days: 1, conversations_due: 34 },
  ],
  ...changes,
});

const page = () =>
  render(
    <MemoryRouter>
      <SystemPage />
    </MemoryRouter>,
  );

describe('the data lifecycle', () => {
  it('shows what a pass would delete, per group too, and refreshes the counts', async () => {
    let answers = 0;
    server.on('GET', '/api/admin/lifecycle', () =>
      json(200, ++answers === 1 ? preview() : preview({ accounts_due: 0, conversations_due: 0, orphan_uploads_due: 0, groups: [] })),
    );
    page();
    const section = await screen.findByTestId('lifecycle');
    await within(section).findByTestId('lifecycle-preview');
    expect(within(section).getByTestId('lifecycle-accounts').textContent).toBe('2');
    expect(within(section).getByTestId('lifecycle-conversations').textContent).toBe('1,234');
    expect(within(section).getByTestId('lifecycle-uploads').textContent).toBe('5');
    const rows = within(section).getAllByTestId('lifecycle-group');
    expect(rows.map((r) => r.getAttribute('data-group'))).toEqual(['interns', 'contractors']);
    expect(within(rows[0]!).getByRole('link', { name: 'interns' }).getAttribute('href')).toBe('/admin/groups/g1');
    expect(within(rows[0]!).getByTestId('lifecycle-group-retention').textContent).toBe('30 days');
    expect(within(rows[0]!).getByTestId('lifecycle-group-due').textContent).toBe('1,200');
    expect(within(rows[1]!).getByTestId('lifecycle-group-retention').textContent).toBe('1 day');

    fireEvent.click(within(section).getByTestId('lifecycle-refresh'));
    await within(section).findByTestId('lifecycle-no-groups');
    expect(within(section).getByTestId('lifecycle-accounts').textContent).toBe('0');
    expect(server.sent('GET', '/api/admin/lifecycle')).toHaveLength(2);
    expect(server.sent('GET', '/api/admin/lifecycle')[0]!.authorization).toBe('Bearer token');
  });

  it('runs a pass after a confirmation, shows what it deleted, and counts again', async () => {
    let ran = false;
    server.on('GET', '/api/admin/lifecycle', () => json(200, ran ? preview({ accounts_due: 0, conversations_due: 0, orphan_uploads_due: 0 }) : preview()));
    server.on('POST', '/api/admin/lifecycle/run', () => {
      ran = true;
      return json(200, { accounts: 2, conversations: 1234, uploads: 5 });
    });
    page();
    const section = await screen.findByTestId('lifecycle');
    await within(section).findByTestId('lifecycle-preview');

    // Cancelled: nothing is sent.
    fireEvent.click(within(section).getByTestId('lifecycle-run'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('Run the data lifecycle now?');
    expect(dialog.textContent).toContain('cannot be undone');
    fireEvent.click(within(dialog).getByText('Cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(server.sent('POST', '/api/admin/lifecycle/run')).toHaveLength(0);

    fireEvent.click(within(section).getByTestId('lifecycle-run'));
    fireEvent.click(screen.getByTestId('confirm-ok'));
    const swept = await within(section).findByTestId('lifecycle-swept');
    expect(within(swept).getByTestId('swept-accounts').textContent).toBe('2');
    expect(within(swept).getByTestId('swept-conversations').textContent).toBe('1,234');
    expect(within(swept).getByTestId('swept-uploads').textContent).toBe('5');
    expect(within(section).getByTestId('admin-notice').textContent).toContain('The data lifecycle ran.');
    expect(server.sent('POST', '/api/admin/lifecycle/run')).toHaveLength(1);
    await waitFor(() => expect(within(section).getByTestId('lifecycle-accounts').textContent).toBe('0'));
    expect(server.sent('GET', '/api/admin/lifecycle')).toHaveLength(2);
  });

  it('shows a failed run', async () => {
    server.on('GET', '/api/admin/lifecycle', () => json(200, preview()));
    server.on('POST', '/api/admin/lifecycle/run', () => refusal(500, 'internal', 'database is locked'));
    page();
    const section = await screen.findByTestId('lifecycle');
    await within(section).findByTestId('lifecycle-preview');
    fireEvent.click(within(section).getByTestId('lifecycle-run'));
    fireEvent.click(screen.getByTestId('confirm-ok'));
    const notice = await within(section).findByTestId('admin-notice');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(within(section).queryByTestId('lifecycle-swept')).toBeNull();
    expect((within(section).getByTestId('lifecycle-run') as HTMLButtonElement).disabled).toBe(false);
  });
});
