import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../i18n';
import type { Agent, Conversation } from '../api';

const api = vi.hoisted(() => ({ listConversations: vi.fn() }));
vi.mock('../api', async (original) => {
  const actual = await original<typeof import('../api')>();
  return { ...actual, conversationsApi: { ...actual.conversationsApi, listConversations: api.listConversations } };
});

const { Sidebar } = await import('./Sidebar');
const { AgentAvatar } = await import('./AgentAvatar');
const { useConversations } = await import('../stores/conversations');

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  vi.resetAllMocks();
  useConversations.setState({ items: [], query: '', archived: false, generation: 0 });
});

const conversation = (id: string, title: string, extra: object = {}): Conversation => ({
  id,
  title,
  agent_id: 'demo',
  pinned: false,
  archived: false,
  created_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
  ...extra,
});

describe('the sidebar search', () => {
  it('has one clear button (ours, not the browser’s) and marks the matches', async () => {
    api.listConversations.mockImplementation(async ({ q }: { q?: string }) => ({
      items: q ? [conversation('c1', 'Zebra facts', { snippet: 'the zebra has stripes' })] : [conversation('c1', 'Zebra facts'), conversation('c2', 'Other')],
      next_cursor: null,
    }));
    render(
      <MemoryRouter>
        <Sidebar />
      </MemoryRouter>,
    );
    const input = screen.getByTestId('conversation-search') as HTMLInputElement;
    // A type=search input gets the browser's own clear button next to ours.
    expect(input.type).toBe('text');
    fireEvent.change(input, { target: { value: 'zebra' } });
    expect(screen.getAllByTestId('clear-search')).toHaveLength(1);
    await waitFor(() => expect(screen.getAllByTestId('conversation-item')).toHaveLength(1));
    const item = screen.getByTestId('conversation-item');
    expect([...item.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['Zebra', 'zebra']);
    expect(screen.getByTestId('search-snippet').textContent).toBe('the zebra has stripes');
    fireEvent.click(screen.getByTestId('clear-search'));
    await waitFor(() => expect(screen.getAllByTestId('conversation-item')).toHaveLength(2));
    expect(document.querySelector('mark')).toBeNull();
  });
});

describe('agent avatars', () => {
  const agent = (avatar: string | null, provider: Agent['provider'] = 'openai'): Agent => ({
    id: 'a',
    name: 'Demo',
    description: '',
    capabilities: [],
    provider,
    enabled: true,
    avatar,
  });
  it('draws the built-in demo agent’s emoji as an SVG icon: no emoji font needed', () => {
    const { container } = render(<AgentAvatar agent={agent('🧪', 'demo')} />);
    expect(container.querySelector('svg')).not.toBeNull();
    expect(container.textContent).toBe('');
  });
  it('keeps other emoji as text, and the initial without an avatar', () => {
    expect(render(<AgentAvatar agent={agent('🐢')} />).container.textContent).toBe('🐢');
    expect(render(<AgentAvatar agent={agent(null)} />).container.textContent).toBe('D');
  });
});

describe('an answer’s footer', () => {
  const answer = (status: 'complete' | 'failed') => ({
    id: 'a1',
    parent_id: 'u1',
    role: 'assistant' as const,
    content: status === 'failed' ? [] : [{ type: 'text' as const, text: 'Hello!' }],
    status,
    agent_id: 'demo',
    sibling_ids: ['a1'],
    created_at: '2026-12-02T00:00:00Z',
    usage: { prompt_tokens: 8, completion_tokens: status === 'failed' ? 0 : 120, total_tokens: 128 },
    error: status === 'failed' ? { code: 'upstream_unreachable', message: 'connection refused' } : null,
  });

  it('labels the token counts of a finished answer and offers feedback', async () => {
    const { MessageView } = await import('./message/MessageView');
    render(<MessageView message={answer('complete')} agents={[]} last busy={false} />);
    expect(screen.getByTestId('message-usage').textContent).toBe('8 in · 120 out');
    expect(screen.getByTestId('feedback-up')).toBeTruthy();
  });

  it('shows neither feedback nor tokens on a failed answer', async () => {
    const { MessageView } = await import('./message/MessageView');
    render(<MessageView message={answer('failed')} agents={[]} last busy={false} />);
    expect(screen.queryByTestId('feedback-up')).toBeNull();
    expect(screen.queryByTestId('feedback-down')).toBeNull();
    expect(screen.queryByTestId('message-usage')).toBeNull();
    expect(screen.getByTestId('regenerate')).toBeTruthy();
  });

  it('says the counts in Chinese with labels', async () => {
    const { MessageView } = await import('./message/MessageView');
    await i18n.changeLanguage('zh-CN');
    render(<MessageView message={answer('complete')} agents={[]} last busy={false} />);
    expect(screen.getByTestId('message-usage').textContent).toBe('输入 8 · 输出 120');
    await i18n.changeLanguage('en');
  });
});
