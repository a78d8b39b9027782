// The price table in the console, over a mocked fetch: the currency and the prices as the
// server lists them, adding and editing a price (the body sent, a 422 shown on its field),
// and deleting one after a confirmation.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import '../../i18n/admin';
import type { Price } from '../../api';
import { endSession, startSession } from '../../api/session';
import { json, mockFetch, noContent, refusal } from '../../test/fetch';
import PricesPage from './PricesPage';

const price = (model: string, input: number, output: number): Price => ({
  model,
  input_per_million: input,
  output_per_million: output,
  updated_at: '2026-12-03T09:30:00Z',
});
const agent = (id: string, name: string, model?: string) => ({
  id,
  name,
  description: '',
  capabilities: [],
  provider: model ? 'openai' : 'demo',
  enabled: true,
  source: 'file',
  overrides_file: false,
  definition: { id, name, provider: model ? { type: 'openai', base_url: 'http://127.0.0.1:9/v1', model } : { type: 'demo' } },
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
  server.on('GET', '/api/admin/agents', () =>
    json(200, { items: [agent('gpt', 'GPT', 'gpt-4o-mini'), agent('mini', 'Mini', 'gpt-4o-mini'), agent('claude', 'Claude', 'claude-sonnet'), agent('demo', 'Demo')] }),
  );
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const page = () =>
  render(
    <MemoryRouter>
      <PricesPage />
    </MemoryRouter>,
  );
const rows = () => screen.getAllByTestId('price-row').map((row) => row.getAttribute('data-model'));

describe('the price table', () => {
  it('shows the currency and each price per million tokens in it, with the agents that use the model', async () => {
    server.on('GET', '/api/admin/prices', () => json(200, { currency: 'USD', items: [price('gpt-4o-mini', 0.15, 0.6), price('claude-sonnet', 3, 15)] }));
    page();
    expect((await screen.findByTestId('prices-currency')).textContent).toBe('USD');
    expect(rows()).toEqual(['gpt-4o-mini', 'claude-sonnet']);
    const first = screen.getAllByTestId('price-row')[0]!;
    expect(within(first).getByTestId('price-input').textContent).toBe('$0.15');
    expect(within(first).getByTestId('price-output').textContent).toBe('$0.60');
    await waitFor(() => expect(first.textContent).toContain('Agents: GPT, Mini'));
    // The models of the configured agents are offered in the model field.
    const list = document.getElementById(screen.getByTestId('price-model').getAttribute('list')!)!;
    expect([...list.querySelectorAll('option')].map((o) => o.value)).toEqual(['claude-sonnet', 'gpt-4o-mini']);
  });

  it('says when there are no prices', async () => {
    server.on('GET', '/api/admin/prices', () => json(200, { currency: 'CNY', items: [] }));
    page();
    expect((await screen.findByTestId('prices-none')).textContent).toBe('No prices yet: every request costs nothing.');
    expect(screen.getByTestId('prices-currency').textContent).toBe('CNY');
    expect(screen.getByLabelText('Input per million tokens (CNY)')).toBeTruthy();
  });

  it('adds a price: sends the model and both amounts, and lists what the server stored', async () => {
    server.on('GET', '/api/admin/prices', () => json(200, { currency: 'USD', items: [price('gpt-4o-mini', 0.15, 0.6)] }));
    server.on('PUT', '/api/admin/prices', () => json(200, price('claude-sonnet', 3, 15)));
    page();
    await screen.findByTestId('price-row');
    fireEvent.change(screen.getByTestId('price-model'), { target: { value: ' claude-sonnet ' } });
    fireEvent.change(screen.getByTestId('price-input-field'), { target: { value: '3' } });
    fireEvent.change(screen.getByTestId('price-output-field'), { target: { value: '15' } });
    fireEvent.click(screen.getByTestId('price-save'));
    await screen.findByText('The price of claude-sonnet is saved.');
    expect(server.sent('PUT', '/api/admin/prices').map((c) => c.body)).toEqual([{ model: 'claude-sonnet', input_per_million: 3, output_per_million: 15 }]);
    expect(rows()).toEqual(['claude-sonnet', 'gpt-4o-mini']);
    // The form is empty again, for the next price.
    expect((screen.getByTestId('price-model') as HTMLInputElement).value).toBe('');
  });

  it('shows the server’s 422 on the field it names, and sends nothing for an empty amount', async () => {
    server.on('GET', '/api/admin/prices', () => json(200, { currency: 'USD', items: [] }));
    server.on('PUT', '/api/admin/prices', () =>
      refusal(422, 'invalid', 'output_per_million: must be a number from 0 to 1000000000', 'output_per_million'),
    );
    page();
    await screen.findByTestId('prices-none');
    fireEvent.change(screen.getByTestId('price-model'), { target: { value: 'gpt-4o' } });
    fireEvent.change(screen.getByTestId('price-input-field'), { target: { value: '2.5' } });
    fireEvent.click(screen.getByTestId('price-save'));
    // An empty amount is caught here.
    expect((await screen.findByTestId('field-error')).textContent).toBe('Enter an amount from 0 to 1,000,000,000.');
    expect(server.sent('PUT', '/api/admin/prices')).toHaveLength(0);

    fireEvent.change(screen.getByTestId('price-output-field'), { target: { value: '999999999.5' } });
    fireEvent.click(screen.getByTestId('price-save'));
    await waitFor(() => expect(screen.getByTestId('field-error').textContent).toBe('Must be a number from 0 to 1000000000'));
    expect(screen.getByTestId('price-output-field').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('price-input-field').getAttribute('aria-invalid')).toBeNull();
    expect(server.sent('PUT', '/api/admin/prices').map((c) => c.body)).toEqual([{ model: 'gpt-4o', input_per_million: 2.5, output_per_million: 999999999.5 }]);
  });

  it('edits a price: the form holds it, the model stays, the row shows the new amounts', async () => {
    server.on('GET', '/api/admin/prices', () => json(200, { currency: 'USD', items: [price('gpt-4o-mini', 0.15, 0.6)] }));
    server.on('PUT', '/api/admin/prices', () => json(200, price('gpt-4o-mini', 0.2, 0.8)));
    page();
    fireEvent.click(await screen.findByRole('button', { name: 'Edit the price of gpt-4o-mini' }));
    const form = screen.getByTestId('price-form');
    expect(form.getAttribute('data-editing')).toBe('gpt-4o-mini');
    expect(within(form).getByRole('heading').textContent).toBe('Price of gpt-4o-mini');
    expect((screen.getByTestId('price-model') as HTMLInputElement).readOnly).toBe(true);
    expect((screen.getByTestId('price-input-field') as HTMLInputElement).value).toBe('0.15');
    fireEvent.change(screen.getByTestId('price-input-field'), { target: { value: '0.2' } });
    fireEvent.change(screen.getByTestId('price-output-field'), { target: { value: '0,8' } });
    fireEvent.click(screen.getByTestId('price-save'));
    await screen.findByText('The price of gpt-4o-mini is saved.');
    expect(server.sent('PUT', '/api/admin/prices').map((c) => c.body)).toEqual([{ model: 'gpt-4o-mini', input_per_million: 0.2, output_per_million: 0.8 }]);
    expect(screen.getByTestId('price-output').textContent).toBe('$0.80');
    expect(screen.getByTestId('price-form').getAttribute('data-editing')).toBeNull();
  });

  it('deletes a price after a confirmation', async () => {
    server.on('GET', '/api/admin/prices', () => json(200, { currency: 'USD', items: [price('gpt-4o-mini', 0.15, 0.6), price('claude-sonnet', 3, 15)] }));
    server.on('DELETE', '/api/admin/prices', () => noContent());
    page();
    fireEvent.click(await screen.findByRole('button', { name: 'Delete the price of claude-sonnet' }));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('Delete the price of claude-sonnet?');
    expect(server.sent('DELETE', '/api/admin/prices')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await screen.findByText('The price of claude-sonnet was deleted.');
    expect(server.sent('DELETE', '/api/admin/prices').map((c) => c.query)).toEqual(['?model=claude-sonnet']);
    expect(rows()).toEqual(['gpt-4o-mini']);
  });

  it('formats the prices in Chinese too', async () => {
    server.on('GET', '/api/admin/prices', () => json(200, { currency: 'CNY', items: [price('qwen-max', 2.4, 9.6)] }));
    await i18n.changeLanguage('zh-CN');
    try {
      page();
      const row = await screen.findByTestId('price-row');
      expect(within(row).getByTestId('price-input').textContent).toBe('¥2.40');
      expect(screen.getByText('添加价格')).toBeTruthy();
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
