// Budgets in the console, over a mocked fetch: a group's budget on its page (loaded from the
// list of every budget, saved, removed by saving both fields empty — the server's 204 — or
// with "Remove"), the server's 422 on its field, and one user's budget from the Users page.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import '../../i18n/admin';
import type { Budget, GroupDetail } from '../../api';
import { endSession, startSession } from '../../api/session';
import { json, mockFetch, noContent, refusal } from '../../test/fetch';
import GroupPage from './GroupPage';
import UsersPage from './UsersPage';

const ENGINEERING: GroupDetail = {
  id: 'g1',
  name: 'engineering',
  description: '',
  member_count: 0,
  members: [],
  agents: [],
  created_at: '2026-12-04T00:00:00Z',
  updated_at: '2026-12-04T00:00:00Z',
};
const budget = (scope: 'user' | 'group', id: string, name: string, tokens: number | null, cost: number | null): Budget => ({
  scope,
  id,
  name,
  tokens_per_day: tokens,
  cost_per_month: cost,
  updated_at: '2026-12-04T08:00:00Z',
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
    user: { id: 'admin-id', username: 'admin', role: 'admin', created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
  server.on('GET', '/api/admin/agents', () => json(200, { items: [] }));
  server.on('GET', '/api/admin/groups/g1', () => json(200, ENGINEERING));
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

function groupPage() {
  render(
    <MemoryRouter initialEntries={['/admin/groups/g1']}>
      <Routes>
        <Route path="/admin/groups/:id" element={<GroupPage />} />
      </Routes>
    </MemoryRouter>,
  );
  return screen.findByTestId('budget-form');
}
const value = (testId: string) => (screen.getByTestId(testId) as HTMLInputElement).value;

describe('a group’s budget', () => {
  it('loads the group’s own budget from the list (not a user’s with the same id, nor another group’s)', async () => {
    server.on('GET', '/api/admin/budgets', () =>
      json(200, {
        currency: 'EUR',
        items: [budget('user', 'g1', 'odd', 5, null), budget('group', 'g2', 'sales', 7, 7), budget('group', 'g1', 'engineering', 50000, 12.5)],
      }),
    );
    const form = await groupPage();
    const block = screen.getByTestId('group-budget');
    expect(within(block).getByRole('heading').textContent).toBe('Budget');
    expect(block.textContent).toContain('Shared by all members together');
    expect(value('budget-tokens')).toBe('50000');
    expect(value('budget-cost')).toBe('12.5');
    expect(within(block).getByLabelText('Tokens per day')).toBe(screen.getByTestId('budget-tokens'));
    expect(within(block).getByLabelText('Cost per month (EUR)')).toBe(screen.getByTestId('budget-cost'));
    expect(form.getAttribute('data-budget')).toBe('set');
    expect((screen.getByTestId('budget-remove') as HTMLButtonElement).disabled).toBe(false);
  });

  it('with no budget: empty fields (no limit), nothing to remove; saving sends both limits', async () => {
    server.on('GET', '/api/admin/budgets', () => json(200, { currency: 'USD', items: [] }));
    server.on('PUT', '/api/admin/budgets/group/g1', () => json(200, budget('group', 'g1', 'engineering', 300, null)));
    const form = await groupPage();
    expect(form.getAttribute('data-budget')).toBe('none');
    expect(value('budget-tokens')).toBe('');
    expect(screen.getByTestId('budget-tokens').getAttribute('placeholder')).toBe('No limit');
    expect(screen.getByTestId('budget-state').textContent).toBe('No budget yet: no limit.');
    expect((screen.getByTestId('budget-remove') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(screen.getByTestId('budget-tokens'), { target: { value: '300' } });
    fireEvent.click(screen.getByTestId('budget-save'));
    expect((await screen.findByTestId('budget-status')).textContent).toBe('Budget saved.');
    expect(server.sent('PUT', '/api/admin/budgets/group/g1').map((c) => c.body)).toEqual([{ tokens_per_day: 300, cost_per_month: null }]);
    expect(form.getAttribute('data-budget')).toBe('set');
    expect((screen.getByTestId('budget-remove') as HTMLButtonElement).disabled).toBe(false);
    expect(value('budget-tokens')).toBe('300');
  });

  it('saving both fields empty removes the budget (the server answers 204)', async () => {
    server.on('GET', '/api/admin/budgets', () => json(200, { currency: 'USD', items: [budget('group', 'g1', 'engineering', 300, 5)] }));
    server.on('PUT', '/api/admin/budgets/group/g1', () => noContent());
    const form = await groupPage();
    fireEvent.change(screen.getByTestId('budget-tokens'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('budget-cost'), { target: { value: ' ' } });
    fireEvent.click(screen.getByTestId('budget-save'));
    expect((await screen.findByTestId('budget-status')).textContent).toBe('Budget removed: no limit.');
    expect(server.sent('PUT', '/api/admin/budgets/group/g1').map((c) => c.body)).toEqual([{ tokens_per_day: null, cost_per_month: null }]);
    expect(form.getAttribute('data-budget')).toBe('none');
    expect(value('budget-cost')).toBe('');
    expect(screen.getByTestId('budget-state').textContent).toBe('No budget yet: no limit.');
    expect((screen.getByTestId('budget-remove') as HTMLButtonElement).disabled).toBe(true);
  });

  it('“Remove” deletes the budget', async () => {
    server.on('GET', '/api/admin/budgets', () => json(200, { currency: 'USD', items: [budget('group', 'g1', 'engineering', 300, null)] }));
    server.on('DELETE', '/api/admin/budgets/group/g1', () => noContent());
    await groupPage();
    fireEvent.click(screen.getByTestId('budget-remove'));
    expect((await screen.findByTestId('budget-status')).textContent).toBe('Budget removed: no limit.');
    expect(server.sent('DELETE', '/api/admin/budgets/group/g1')).toHaveLength(1);
    expect(value('budget-tokens')).toBe('');
  });

  it('refuses a tokens field that is no whole number ≥ 1 before sending, and shows the server’s 422 on its field', async () => {
    server.on('GET', '/api/admin/budgets', () => json(200, { currency: 'USD', items: [] }));
    server.on('PUT', '/api/admin/budgets/group/g1', () => refusal(422, 'invalid', 'cost_per_month: must be a number from 0 to 1000000000', 'cost_per_month'));
    await groupPage();
    fireEvent.change(screen.getByTestId('budget-tokens'), { target: { value: '2.5' } });
    fireEvent.click(screen.getByTestId('budget-save'));
    expect((await screen.findByTestId('field-error')).textContent).toBe('Enter a whole number of tokens, 1 or more, or leave it empty.');
    expect(screen.getByTestId('budget-tokens').getAttribute('aria-invalid')).toBe('true');
    expect(server.sent('PUT', '/api/admin/budgets/group/g1')).toHaveLength(0);

    fireEvent.change(screen.getByTestId('budget-tokens'), { target: { value: '1000' } });
    fireEvent.change(screen.getByTestId('budget-cost'), { target: { value: '25' } });
    fireEvent.click(screen.getByTestId('budget-save'));
    await waitFor(() => expect(screen.getByTestId('field-error').textContent).toBe('Must be a number from 0 to 1000000000'));
    expect(screen.getByTestId('budget-cost').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('budget-tokens').getAttribute('aria-invalid')).toBeNull();
    expect(server.sent('PUT', '/api/admin/budgets/group/g1').map((c) => c.body)).toEqual([{ tokens_per_day: 1000, cost_per_month: 25 }]);
  });

  it('reads in Chinese', async () => {
    server.on('GET', '/api/admin/budgets', () => json(200, { currency: 'CNY', items: [] }));
    await i18n.changeLanguage('zh-CN');
    try {
      await groupPage();
      const block = screen.getByTestId('group-budget');
      expect(block.textContent).toContain('由所有成员共同使用');
      expect(within(block).getByLabelText('每月费用（CNY）')).toBeTruthy();
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});

describe('a user’s budget on the Users page', () => {
  const ada = { id: 'u1', username: 'ada', role: 'user', created_at: '2026-12-01T00:00:00Z', disabled: false };
  const bob = { id: 'u2', username: 'bob', role: 'user', created_at: '2026-12-01T00:00:00Z', disabled: false };
  beforeEach(() => server.on('GET', '/api/admin/users', () => json(200, { items: [ada, bob] })));

  async function open(name: string) {
    render(
      <MemoryRouter>
        <UsersPage />
      </MemoryRouter>,
    );
    fireEvent.click(await screen.findByRole('button', { name: `Budget of ${name}` }));
    const dialog = await screen.findByTestId('user-budget');
    await within(dialog).findByTestId('budget-form');
    return dialog;
  }

  it('opens a dialog with the user’s own budget, and saves it', async () => {
    server.on('GET', '/api/admin/budgets', () =>
      json(200, { currency: 'USD', items: [budget('user', 'u1', 'ada', 1000, null), budget('group', 'u2', 'odd', 9, null)] }),
    );
    server.on('PUT', '/api/admin/budgets/user/u2', () => json(200, budget('user', 'u2', 'bob', 2000, 3)));
    const dialog = await open('bob');
    expect(dialog.querySelector('h2')!.textContent).toBe('Budget of bob');
    expect(dialog.textContent).toContain('For this user’s own use.');
    // Not the group's budget that happens to have bob's id.
    expect(value('budget-tokens')).toBe('');
    fireEvent.change(screen.getByTestId('budget-tokens'), { target: { value: '2000' } });
    fireEvent.change(screen.getByTestId('budget-cost'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('budget-save'));
    await waitFor(() => expect(screen.queryByTestId('user-budget')).toBeNull());
    expect(screen.getByTestId('admin-notice').textContent).toContain('The budget of bob is saved.');
    expect(server.sent('PUT', '/api/admin/budgets/user/u2').map((c) => c.body)).toEqual([{ tokens_per_day: 2000, cost_per_month: 3 }]);
  });

  it('shows the budget in force, and removes it', async () => {
    server.on('GET', '/api/admin/budgets', () => json(200, { currency: 'USD', items: [budget('user', 'u1', 'ada', 1000, 2.5)] }));
    server.on('DELETE', '/api/admin/budgets/user/u1', () => noContent());
    await open('ada');
    expect(value('budget-tokens')).toBe('1000');
    expect(value('budget-cost')).toBe('2.5');
    fireEvent.click(screen.getByTestId('budget-remove'));
    await waitFor(() => expect(screen.queryByTestId('user-budget')).toBeNull());
    expect(screen.getByTestId('admin-notice').textContent).toContain('The budget of ada was removed.');
    expect(server.sent('DELETE', '/api/admin/budgets/user/u1')).toHaveLength(1);
  });

  it('closes without a change', async () => {
    server.on('GET', '/api/admin/budgets', () => json(200, { currency: 'USD', items: [] }));
    await open('ada');
    fireEvent.click(screen.getByTestId('user-budget-close'));
    expect(screen.queryByTestId('user-budget')).toBeNull();
    expect(server.calls.filter((c) => c.method !== 'GET')).toHaveLength(0);
  });
});
