import { beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import type { Message } from '../api';
import '../i18n';

// Each message's view, counted: which rows a change in the store renders again.
const rendered = vi.hoisted(() => [] as string[]);
vi.mock('./message/MessageView', () => ({
  MessageView: ({ message }: { message: Message }) => {
    rendered.push(message.id);
    const text = message.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    return <p data-testid="row">{text}</p>;
  },
}));

const { MessageList } = await import('./MessageList');
const { useChat } = await import('../stores/chat');

const message = (id: string, role: 'user' | 'assistant', text: string, status: Message['status'] = 'complete'): Message => ({
  id,
  parent_id: null,
  role,
  content: [{ type: 'text', text }],
  status,
  sibling_ids: [id],
  created_at: '2026-12-03T00:00:00Z',
});

// jsdom lays nothing out: a scroller 800 px high shows every row.
Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });

beforeEach(() => {
  rendered.length = 0;
  useChat.setState({
    messages: [message('u1', 'user', 'Hello'), message('a1', 'assistant', 'Hi!'), message('u2', 'user', 'More'), message('a2', 'assistant', 'Once', 'streaming')],
    streaming: true,
  });
});

describe('the message list', () => {
  it('renders only the streaming message’s row when a streamed frame changes it', () => {
    render(<MessageList agents={[]} />);
    expect(screen.getAllByTestId('row').map((r) => r.textContent)).toEqual(['Hello', 'Hi!', 'More', 'Once']);
    rendered.length = 0;

    // What the chat store does with a frame of deltas: a new object for that message only.
    act(() => {
      const messages = useChat.getState().messages;
      useChat.setState({ messages: messages.map((m) => (m.id === 'a2' ? { ...m, content: [{ type: 'text', text: 'Once upon' }] } : m)) });
    });
    expect(rendered).toEqual(['a2']);
    expect(screen.getAllByTestId('row').map((r) => r.textContent)).toEqual(['Hello', 'Hi!', 'More', 'Once upon']);
  });

  it('renders no row for a change elsewhere in the store', () => {
    render(<MessageList agents={[]} />);
    rendered.length = 0;
    act(() => useChat.setState({ reconnecting: true, error: new Error('later') }));
    expect(rendered).toEqual([]);
  });
});
