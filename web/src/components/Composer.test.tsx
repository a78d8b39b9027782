import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { ApiError, type Preset } from '../api';
import { endSession, startSession } from '../api/session';
import i18n from '../i18n';
import { json, mockFetch } from '../test/fetch';

const api = vi.hoisted(() => ({ upload: vi.fn() }));
vi.mock('../api', async (original) => {
  const actual = await original<typeof import('../api')>();
  return { ...actual, uploadsApi: { ...actual.uploadsApi, upload: api.upload } };
});

const { Composer } = await import('./Composer');

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => vi.resetAllMocks());

const composer = () =>
  render(<Composer draftKey="test" placeholder="Message" streaming={false} onSend={() => true} onStop={() => {}} acceptsImages agentName="Demo" />);

describe('attaching a file', () => {
  it('shows the server’s message in full when the upload quota is used up, until the file is removed', async () => {
    const message = 'your uploads take 1023.0 MiB of your 1.0 GiB (uploads.quota_per_user): delete some to upload this file of 5.0 MiB';
    api.upload.mockRejectedValue(new ApiError(413, 'upload_quota_exceeded', message));
    composer();
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['hello'], 'notes.txt', { type: 'text/plain' })] } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(`notes.txt: Not enough upload storage for this file: ${message}. You can delete files under Settings → Files.`);
    expect(screen.getByTestId('pending-files').textContent).toContain(message);
    fireEvent.click(screen.getByRole('button', { name: 'Remove notes.txt' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByTestId('pending-files')).toBeNull();
  });
});

describe('the preset menu', () => {
  const preset = (id: string, title: string, content: string, changes: Partial<Preset> = {}): Preset => ({
    id,
    title,
    content,
    agent_id: null,
    shared: false,
    created_at: '2026-12-02T10:00:00Z',
    updated_at: '2026-12-02T10:00:00Z',
    ...changes,
  });
  let server: ReturnType<typeof mockFetch>;
  beforeEach(() => {
    sessionStorage.clear(); // the drafts
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

  const withPresets = (items: Preset[]) => server.on('GET', '/api/presets', () => json(200, { items }));
  const composerFor = (agentId: string) =>
    render(
      <MemoryRouter>
        <Composer draftKey="presets" placeholder="Message" streaming={false} onSend={() => true} onStop={() => {}} acceptsImages agentName="Demo" agentId={agentId} />
      </MemoryRouter>,
    );
  const box = () => screen.getByTestId('composer-input') as HTMLTextAreaElement;

  it('lists the presets for the agent, filters as one types, and Enter puts the chosen one in the empty box', async () => {
    withPresets([
      preset('p1', 'Review', 'Review this code for bugs:'),
      preset('p2', 'Summarise', 'Summarise in three bullet points:', { shared: true, agent_id: 'demo' }),
      preset('p3', 'Translate', 'Translate into Chinese:'),
    ]);
    composerFor('demo');
    fireEvent.click(screen.getByTestId('preset-menu-button'));
    const filter = await screen.findByTestId('preset-filter');
    expect(server.sent('GET', '/api/presets')[0]!.query).toBe('?agent_id=demo');
    expect(document.activeElement).toBe(filter);
    const menu = screen.getByTestId('preset-menu');
    expect(within(menu).getAllByTestId('preset-option').map((o) => o.getAttribute('data-id'))).toEqual(['p1', 'p2', 'p3']);
    expect(within(menu).getAllByTestId('preset-option')[1]!.textContent).toContain('shared');

    // Typing filters, on the title or the text.
    fireEvent.change(filter, { target: { value: 'in' } });
    expect(within(menu).getAllByTestId('preset-option').map((o) => o.getAttribute('data-id'))).toEqual(['p2', 'p3']);
    fireEvent.change(filter, { target: { value: 'nothing like it' } });
    expect(within(menu).getByTestId('preset-no-match').textContent).toBe('No preset matches “nothing like it”.');
    fireEvent.change(filter, { target: { value: 'IN' } });

    // ↓ moves to the second match; Enter picks it.
    const options = within(menu).getAllByTestId('preset-option');
    expect(options[0]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(filter, { key: 'ArrowDown' });
    expect(options[1]!.getAttribute('aria-selected')).toBe('true');
    expect(filter.getAttribute('aria-activedescendant')).toBe(options[1]!.id);
    fireEvent.keyDown(filter, { key: 'Enter' });
    expect(screen.queryByTestId('preset-menu')).toBeNull();
    expect(box().value).toBe('Translate into Chinese:');
    await waitFor(() => expect(document.activeElement).toBe(box()));
    expect(box().selectionStart).toBe(box().value.length);
  });

  it('adds a picked preset on a new line after the text already typed', async () => {
    withPresets([preset('p1', 'Review', 'Review this code for bugs:')]);
    composerFor('demo');
    fireEvent.change(box(), { target: { value: 'fn main() {}\n' } });
    fireEvent.click(screen.getByTestId('preset-menu-button'));
    fireEvent.click(await screen.findByTestId('preset-option'));
    expect(box().value).toBe('fn main() {}\nReview this code for bugs:');
    await waitFor(() => expect(document.activeElement).toBe(box()));
  });

  it('Escape closes it and gives the focus back to its button', async () => {
    withPresets([preset('p1', 'Review', 'Review this code for bugs:')]);
    composerFor('demo');
    const button = screen.getByTestId('preset-menu-button');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(await screen.findByTestId('preset-filter'), { key: 'Escape' });
    expect(screen.queryByTestId('preset-menu')).toBeNull();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(button);
    expect(box().value).toBe('');
  });

  it('says when the agent has no presets, and links to Settings', async () => {
    withPresets([]);
    composerFor('gpt');
    fireEvent.click(screen.getByTestId('preset-menu-button'));
    expect((await screen.findByTestId('preset-none')).textContent).toBe('No presets for this agent yet.');
    const link = screen.getByTestId('preset-settings-link');
    expect(link.textContent).toBe('Create presets in Settings');
    expect(link.getAttribute('href')).toBe('/settings#presets');
    await waitFor(() => expect(document.activeElement).toBe(link));
    expect(server.sent('GET', '/api/presets')[0]!.query).toBe('?agent_id=gpt');
  });
});
