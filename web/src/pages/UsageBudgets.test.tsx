// "Your budgets" on the usage page, over a mocked fetch: each budget with its progress bar,
// used / limit, what is left and when it renews; tokens with thousands separators, costs in
// the currency; the server's quota named as such; nothing at all without budgets.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../i18n';
import type { BudgetStatus } from '../api';
import { endSession, startSession } from '../api/session';
import { formatDateTime } from '../lib/format';
import { json, mockFetch } from '../test/fetch';
import UsagePage from './UsagePage';

const REPORT = {
  from: '2026-11-05T00:00:00Z',
  to: '2026-12-05T00:00:00Z',
  tz: 'UTC',
  items: [],
  totals: { requests: 0, prompt_tokens: 0, completion_tokens: 0, errors: 0 },
};
const status = (changes: Partial<BudgetStatus> & Pick<BudgetStatus, 'scope' | 'name' | 'kind' | 'limit' | 'used'>): BudgetStatus => ({
  remaining: Math.max(0, changes.limit - changes.used),
  currency: null,
  resets_at: '2026-12-05T00:00:00Z',
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
    user: { id: 'u1', username: 'mia', role: 'user', created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
  server.on('GET', '/api/usage', () => json(200, REPORT));
  server.on('GET', '/api/agents', () => json(200, { items: [] }));
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const page = () =>
  render(
    <MemoryRouter>
      <UsagePage />
    </MemoryRouter>,
  );
const item = (scope: string, kind: string) => screen.getByTestId('my-budgets').querySelector<HTMLElement>(`[data-scope=${scope}][data-kind=${kind}]`)!;

describe('your budgets', () => {
  it('shows each budget: name, progress, used of limit, what is left and when it renews', async () => {
    server.on('GET', '/api/usage/budgets', () =>
      json(200, {
        items: [
          status({ scope: 'server', name: 'server', kind: 'tokens_per_day', limit: 100000, used: 2500 }),
          status({ scope: 'group', name: 'engineering', kind: 'tokens_per_day', limit: 1000, used: 1234, remaining: 0 }),
          status({ scope: 'group', name: 'engineering', kind: 'cost_per_month', limit: 50, used: 12.5, currency: 'USD', resets_at: '2027-01-01T00:00:00Z' }),
          status({ scope: 'user', name: 'mia', kind: 'cost_per_month', limit: 20, used: 0, currency: 'EUR', resets_at: '2027-01-01T00:00:00Z' }),
        ],
      }),
    );
    page();
    const section = await screen.findByTestId('my-budgets');
    expect(within(section).getByRole('heading', { level: 2 }).textContent).toBe('Your budgets');
    expect(screen.getAllByTestId('my-budget')).toHaveLength(4);

    const server_ = item('server', 'tokens_per_day');
    expect(server_.querySelector('h3')!.textContent).toBe('Everyone’s daily quota · Tokens per day');
    const quota = within(server_).getByRole('progressbar');
    expect(quota.getAttribute('aria-valuenow')).toBe('2');
    expect(quota.getAttribute('aria-valuemin')).toBe('0');
    expect(quota.getAttribute('aria-valuemax')).toBe('100');
    expect(quota.getAttribute('aria-valuetext')).toBe('2,500 tokens of 100,000 tokens (2 %)');
    expect(within(server_).getByTestId('my-budget-used').textContent).toBe('2,500 tokens of 100,000 tokens used');
    expect(within(server_).getByTestId('my-budget-remaining').textContent).toBe('97,500 tokens left');
    expect(within(server_).getByTestId('my-budget-resets').textContent).toBe(`Renews ${formatDateTime('2026-12-05T00:00:00Z', 'en')}`);
    expect(within(server_).queryByTestId('my-budget-used-up')).toBeNull();

    // The group's tokens: over the limit (a request may run past it), full, used up.
    const tokens = item('group', 'tokens_per_day');
    expect(tokens.querySelector('h3')!.textContent).toBe('Group “engineering” · Tokens per day');
    expect(tokens.textContent).toContain('Shared by all members of engineering together.');
    expect(within(tokens).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(within(tokens).getByTestId('my-budget-remaining').textContent).toBe('0 tokens left');
    expect(within(tokens).getByTestId('my-budget-used-up').textContent).toBe('Used up');

    // Costs in their currency.
    const cost = item('group', 'cost_per_month');
    expect(within(cost).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect(within(cost).getByTestId('my-budget-used').textContent).toBe('$12.50 of $50.00 used');
    expect(within(cost).getByTestId('my-budget-remaining').textContent).toBe('$37.50 left');
    expect(within(cost).getByTestId('my-budget-resets').textContent).toBe(`Renews ${formatDateTime('2027-01-01T00:00:00Z', 'en')}`);

    const own = item('user', 'cost_per_month');
    expect(own.querySelector('h3')!.textContent).toBe('Your own budget · Cost per month');
    expect(within(own).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
    expect(within(own).getByTestId('my-budget-used').textContent).toBe('€0.00 of €20.00 used');
  });

  it('shows nothing when no budget applies', async () => {
    server.on('GET', '/api/usage/budgets', () => json(200, { items: [] }));
    page();
    await screen.findByTestId('usage-totals');
    await waitFor(() => expect(server.sent('GET', '/api/usage/budgets')).toHaveLength(1));
    expect(screen.queryByTestId('my-budgets')).toBeNull();
    expect(screen.queryByText('Your budgets')).toBeNull();
  });

  it('formats the amounts in Chinese', async () => {
    server.on('GET', '/api/usage/budgets', () =>
      json(200, {
        items: [
          status({ scope: 'group', name: 'engineering', kind: 'tokens_per_day', limit: 20000, used: 12345 }),
          status({ scope: 'user', name: 'mia', kind: 'cost_per_month', limit: 100, used: 40, currency: 'CNY' }),
        ],
      }),
    );
    await i18n.changeLanguage('zh-CN');
    try {
      page();
      await screen.findByTestId('my-budgets');
      const tokens = item('group', 'tokens_per_day');
      expect(tokens.querySelector('h3')!.textContent).toBe('用户组“engineering” · 每日 token');
      expect(within(tokens).getByTestId('my-budget-used').textContent).toBe('已用 12,345 个 token，共 20,000 个 token');
      expect(within(tokens).getByTestId('my-budget-remaining').textContent).toBe('剩余 7,655 个 token');
      expect(within(item('user', 'cost_per_month')).getByTestId('my-budget-used').textContent).toBe('已用 ¥40.00，共 ¥100.00');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
