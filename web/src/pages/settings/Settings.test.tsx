import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';

const api = vi.hoisted(() => ({ changePassword: vi.fn(), listKeys: vi.fn(), createKey: vi.fn(), listAgents: vi.fn() }));
vi.mock('../../api', async (original) => {
  const actual = await original<typeof import('../../api')>();
  return {
    ...actual,
    authApi: { ...actual.authApi, changePassword: api.changePassword },
    keysApi: { ...actual.keysApi, listKeys: api.listKeys, createKey: api.createKey },
    agentsApi: { ...actual.agentsApi, listAgents: api.listAgents },
  };
});

const { default: SettingsPage } = await import('../SettingsPage');

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  vi.resetAllMocks();
  api.listKeys.mockResolvedValue({ items: [] });
  api.listAgents.mockResolvedValue([
    { id: 'demo', name: 'Demo', description: '', capabilities: [], provider: 'demo', enabled: true },
    { id: 'gpt', name: 'GPT', description: '', capabilities: [], provider: 'openai', enabled: true },
  ]);
});

const page = () =>
  render(
    <MemoryRouter>
      <SettingsPage />
    </MemoryRouter>,
  );

describe('changing the password', () => {
  it('refuses a confirmation that differs, before sending', async () => {
    page();
    fireEvent.change(screen.getByTestId('password-current'), { target: { value: 'old passphrase' } });
    fireEvent.change(screen.getByTestId('password-new'), { target: { value: 'new passphrase 1' } });
    fireEvent.change(screen.getByTestId('password-repeat'), { target: { value: 'new passphrase 2' } });
    fireEvent.submit(screen.getByTestId('password-form'));
    expect((await screen.findByTestId('password-repeat-error')).textContent).toBe('The passwords do not match.');
    expect(api.changePassword).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId('password-repeat'), { target: { value: 'new passphrase 1' } });
    api.changePassword.mockResolvedValue(undefined);
    fireEvent.submit(screen.getByTestId('password-form'));
    await screen.findByText('Password changed. Other sessions were signed out.');
    expect(api.changePassword).toHaveBeenCalledWith('old passphrase', 'new passphrase 1');
  });

  it('shows and hides the new password', () => {
    page();
    const input = screen.getByTestId('password-new') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.click(screen.getByTestId('password-new-toggle'));
    expect(input.type).toBe('text');
  });
});

describe('creating an API key', () => {
  it('sends the expiry and the agents chosen, then shows the key with a curl and a Python snippet', async () => {
    page();
    api.createKey.mockImplementation(async (body: { name: string; allowed_agents?: string[] }) => ({
      id: 'k1',
      name: body.name,
      prefix: 'sk-llmc-ab',
      created_at: '2026-12-02T00:00:00Z',
      expires_at: '2027-01-01T00:00:00Z',
      allowed_agents: body.allowed_agents,
      key: 'sk-llmc-abcdef',
    }));
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'script' } });
    fireEvent.change(screen.getByTestId('key-expiry'), { target: { value: '30' } });
    fireEvent.click(screen.getByTestId('key-agents-some'));
    const gpt = await screen.findByRole('checkbox', { name: /GPT/ });
    fireEvent.click(gpt);
    fireEvent.submit(screen.getByTestId('key-form'));
    await screen.findByTestId('new-key');
    const body = api.createKey.mock.calls[0]![0] as { name: string; expires_at: string; allowed_agents: string[] };
    expect(body.name).toBe('script');
    expect(body.allowed_agents).toEqual(['gpt']);
    expect(new Date(body.expires_at).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(screen.getByTestId('new-key-value').textContent).toBe('sk-llmc-abcdef');
    expect(screen.getByTestId('new-key-base-url').textContent).toBe(`${window.location.origin}/v1`);
    expect(screen.getByTestId('key-snippet').textContent).toContain('Authorization: Bearer sk-llmc-abcdef');
    expect(screen.getByTestId('key-snippet').textContent).toContain('"model":"gpt"');
    fireEvent.click(screen.getByTestId('snippet-python'));
    expect(screen.getByTestId('key-snippet').textContent).toContain('from openai import OpenAI');
  });

  it('asks for at least one agent when limiting the key', async () => {
    page();
    fireEvent.change(screen.getByTestId('key-name'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('key-agents-some'));
    fireEvent.submit(screen.getByTestId('key-form'));
    await screen.findByText('Choose at least one agent, or allow all.');
    expect(api.createKey).not.toHaveBeenCalled();
  });
});
