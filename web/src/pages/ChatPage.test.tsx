// The chat when the server refuses a message because a budget is used up (429
// `budget_exceeded`, or `daily_quota_exceeded` for the server's quota): the banner says so in
// the server's words, when it renews, and links to the usage page; the question stays in the
// message box.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../i18n';
import type { Message } from '../api';
import { endSession, startSession } from '../api/session';
import { useChat } from '../stores/chat';
import { json, mockFetch } from '../test/fetch';

// The list itself is tested on its own; here it only has to show the messages' texts.
vi.mock('../components/MessageList', async () => {
  const { useChat: chat } = await import('../stores/chat');
  return {
    MessageList: () => {
      const messages = chat((s) => s.messages);
      return (
        <ol>
          {messages.map((m) => (
            <li key={m.id} data-testid={`message-${m.role}`}>
              {m.content.map((p) => (p.type === 'text' ? p.text : '')).join('')}
            </li>
          ))}
        </ol>
      );
    },
  };
});

const { default: ChatPage } = await import('./ChatPage');

const message = (id: string, role: 'user' | 'assistant', text: string, parent: string | null): Message => ({
  id,
  parent_id: parent,
  role,
  content: [{ type: 'text', text }],
  status: 'complete',
  sibling_ids: [id],
  created_at: '2026-12-04T10:00:00Z',
  agent_id: role === 'assistant' ? 'fast' : undefined,
});

/** A 429 as the server sends it, with Retry-After. */
const tooMuch = (code: string, text: string, retryAfter: number, budget?: object) =>
  new Response(JSON.stringify({ error: { code, message: text, request_id: 'req-9', budget } }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
  });

let server: ReturnType<typeof mockFetch>;

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  sessionStorage.clear(); // the drafts
  server = mockFetch();
  startSession({
    access_token: 'token',
    refresh_token: '',
    token_type: 'Bearer',
    expires_in: 3600,
    user: { id: 'u1', username: 'mia', role: 'user', created_at: '2026-12-01T00:00:00Z', disabled: false },
  });
  useChat.setState({ conversationId: null, conversation: null, messages: [], streaming: false, error: null, loadError: null });
  server.on('GET', '/api/agents', () =>
    json(200, { items: [{ id: 'fast', name: 'Fast demo', description: '', capabilities: [], enabled: true, provider: 'demo' }] }),
  );
  server.on('GET', '/api/conversations/c1', () =>
    json(200, { id: 'c1', title: 'Plans', agent_id: 'fast', pinned: false, archived: false, created_at: '2026-12-04T10:00:00Z', updated_at: '2026-12-04T10:00:00Z' }),
  );
  server.on('GET', '/api/conversations/c1/messages', () =>
    json(200, { items: [message('u1', 'user', 'Hello', null), message('a1', 'assistant', 'Hi! How can I help?', 'u1')] }),
  );
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

async function sendInChat(text: string) {
  render(
    <MemoryRouter initialEntries={['/c/c1']}>
      <Routes>
        <Route path="/c/:id" element={<ChatPage />} />
        <Route path="/usage" element={<p data-testid="usage-page">usage</p>} />
      </Routes>
    </MemoryRouter>,
  );
  await screen.findByText('Hi! How can I help?');
  const input = screen.getByTestId('composer-input');
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: 'Enter' });
  return screen.findByTestId('chat-error');
}

describe('a message refused by a budget', () => {
  it('says which budget is used up and when it renews, links to the usage page, and keeps the question', async () => {
    const refusal =
      'the tokens per day budget of group "engineering" is used up: 612 tokens of 500 tokens used or held by running requests; it resets in 36000 s';
    server.on('POST', '/api/conversations/c1/messages', () => tooMuch('budget_exceeded', refusal, 36000));
    const banner = await sendInChat('One more question');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.getAttribute('data-code')).toBe('budget_exceeded');
    expect(banner.textContent).toContain(
      'A budget is used up: the tokens per day budget of group "engineering" is used up: 612 tokens of 500 tokens used or held by running requests. It renews in 10 h.',
    );
    const link = within(banner).getByRole('link', { name: 'See your budgets' });
    expect(link.getAttribute('href')).toBe('/usage');
    // Nothing was accepted: the conversation is as it was, the question still in the box.
    expect(screen.getAllByTestId('message-user').map((m) => m.textContent)).toEqual(['Hello']);
    expect((screen.getByTestId('composer-input') as HTMLTextAreaElement).value).toBe('One more question');
    expect(server.sent('POST', '/api/conversations/c1/messages').map((c) => (c.body as { content: string }).content)).toEqual(['One more question']);

    fireEvent.click(link);
    await screen.findByTestId('usage-page');
  });

  it('names the server’s daily quota, with the same link', async () => {
    server.on('POST', '/api/conversations/c1/messages', () =>
      tooMuch('daily_quota_exceeded', 'daily token quota reached: 1000 of 1000 tokens used or held by running requests today (UTC); it resets in 600 s', 600),
    );
    const banner = await sendInChat('Again');
    expect(banner.getAttribute('data-code')).toBe('daily_quota_exceeded');
    expect(banner.textContent).toContain('You have used today’s quota. It renews in 10 min.');
    expect(within(banner).getByRole('link', { name: 'See your budgets' })).toBeTruthy();
  });

  it('offers no budgets link for other refusals', async () => {
    server.on('POST', '/api/conversations/c1/messages', () =>
      tooMuch('too_many_concurrent_requests', 'at most 8 requests per user may run at once; retry when one has finished', 1),
    );
    const banner = await sendInChat('Again');
    expect(banner.textContent).toContain('You have too many requests running at once.');
    expect(within(banner).queryByRole('link')).toBeNull();
  });

  it('names the budget in Chinese when the server says which', async () => {
    const budget = { scope: 'group', name: '研发部', kind: 'tokens_per_day', limit: 500, used: 612, remaining: 0, currency: null, resets_at: '2026-12-05T00:00:00Z' };
    server.on('POST', '/api/conversations/c1/messages', () =>
      tooMuch('budget_exceeded', 'the tokens per day budget of group "研发部" is used up: 612 tokens of 500 tokens used or held by running requests; it resets in 36000 s', 36000, budget),
    );
    await i18n.changeLanguage('zh-CN');
    try {
      const banner = await sendInChat('再问一个');
      expect(banner.textContent).toContain('预算已用完：用户组“研发部”，每日 token：已用 612 个 token，共 500 个 token。将在 10 小时 后恢复。');
      expect(banner.textContent).not.toContain('used up');
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('reads in Chinese', async () => {
    server.on('POST', '/api/conversations/c1/messages', () =>
      tooMuch('budget_exceeded', 'the cost per month budget of user "mia" is used up: 5 USD of 5 USD used or held by running requests; it resets in 259200 s', 259200),
    );
    await i18n.changeLanguage('zh-CN');
    try {
      const banner = await sendInChat('再问一个');
      expect(banner.textContent).toContain('预算已用完：the cost per month budget of user "mia" is used up: 5 USD of 5 USD used or held by running requests。将在 3 天 后恢复。');
      expect(within(banner).getByRole('link').textContent).toBe('查看你的预算');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
