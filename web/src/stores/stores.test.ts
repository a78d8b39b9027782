import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatEvent, Conversation, Message } from '../api';

const api = vi.hoisted(() => ({
  listConversations: vi.fn(),
  updateConversation: vi.fn(),
  deleteConversation: vi.fn(),
  createConversation: vi.fn(),
  getConversation: vi.fn(),
  listMessages: vi.fn(),
  sendMessage: vi.fn(),
  resume: vi.fn(),
  stop: vi.fn(),
}));

vi.mock('../api', async (original) => {
  const actual = await original<typeof import('../api')>();
  return {
    ...actual,
    conversationsApi: {
      listConversations: api.listConversations,
      updateConversation: api.updateConversation,
      deleteConversation: api.deleteConversation,
      createConversation: api.createConversation,
      getConversation: api.getConversation,
      listMessages: api.listMessages,
    },
    chatApi: { sendMessage: api.sendMessage, resume: api.resume, stop: api.stop },
  };
});

const { useConversations } = await import('./conversations');
const { useChat } = await import('./chat');

const conversation = (id: string, title: string): Conversation => ({
  id,
  title,
  agent_id: 'demo',
  pinned: false,
  archived: false,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const start: ChatEvent = {
  type: 'start',
  data: { conversation_id: 'c1', user_message_id: 'u1', message_id: 'a1', agent_id: 'demo' },
};

beforeEach(() => {
  vi.resetAllMocks();
  useConversations.setState({ items: [], query: '', archived: false, generation: 0 });
  useChat.setState({ conversationId: null, conversation: null, messages: [], streaming: false, error: null });
});

describe('useConversations', () => {
  it('renames at once and puts the title back when the server refuses', async () => {
    useConversations.setState({ items: [conversation('c1', 'Old')] });
    let refuse: (e: Error) => void = () => {};
    api.updateConversation.mockReturnValue(new Promise((_, reject) => (refuse = reject)));
    const pending = useConversations.getState().update('c1', { title: 'New' });
    expect(useConversations.getState().items[0]?.title).toBe('New');
    refuse(new Error('no'));
    await expect(pending).rejects.toThrow('no');
    expect(useConversations.getState().items[0]?.title).toBe('Old');
  });

  it('ignores a search answer that a newer search overtook', async () => {
    const answers: ((page: { items: Conversation[] }) => void)[] = [];
    api.listConversations.mockImplementation(() => new Promise((resolve) => answers.push(resolve)));
    const first = useConversations.getState().load({ query: 'a' });
    const second = useConversations.getState().load({ query: 'ab' });
    answers[1]!({ items: [conversation('c2', 'ab')] });
    answers[0]!({ items: [conversation('c1', 'a')] });
    await Promise.all([first, second]);
    expect(useConversations.getState().items.map((c) => c.id)).toEqual(['c2']);
  });
});

describe('useChat', () => {
  it('shows the question at once, streams the answer, then takes the server’s view', async () => {
    const saved: Message[] = [
      { id: 'u1', parent_id: null, role: 'user', content: [{ type: 'text', text: 'Hi' }], status: 'complete', sibling_ids: ['u1'], created_at: '' },
      { id: 'a1', parent_id: 'u1', role: 'assistant', content: [{ type: 'text', text: 'Hello!' }], status: 'complete', sibling_ids: ['a1'], created_at: '' },
    ];
    api.listMessages.mockResolvedValue({ items: saved, current_message_id: 'a1' });
    api.getConversation.mockResolvedValue(conversation('c1', 'Hi'));
    let duringStream: Message[] = [];
    api.sendMessage.mockImplementation(async (_id: string, body: { content: string }, handlers: { onEvent: (e: ChatEvent) => void }) => {
      expect(body.content).toBe('Hi');
      handlers.onEvent(start);
      handlers.onEvent({ type: 'delta', data: { text: 'Hel' } });
      handlers.onEvent({ type: 'delta', data: { text: 'lo!' } });
      await new Promise((r) => setTimeout(r, 50));
      duringStream = useChat.getState().messages;
      handlers.onEvent({ type: 'done', data: { message_id: 'a1', status: 'complete', usage: { prompt_tokens: 3, completion_tokens: 2, estimated: false } } });
      return 'finished';
    });
    useChat.setState({ conversationId: 'c1' });
    expect(await useChat.getState().send('Hi')).toBe(true);
    // Both deltas arrived in one frame and were applied together.
    expect(duringStream.map((m) => [m.id, m.role])).toEqual([['u1', 'user'], ['a1', 'assistant']]);
    expect(duringStream[1]?.content).toEqual([{ type: 'text', text: 'Hello!' }]);
    await vi.waitFor(() => expect(useChat.getState().messages).toEqual(saved));
    expect(useChat.getState().streaming).toBe(false);
    expect(useConversations.getState().items[0]?.title).toBe('Hi');
  });

  it('takes the question back out when the server refused it', async () => {
    api.sendMessage.mockRejectedValue(Object.assign(new Error('busy'), { status: 409 }));
    api.listMessages.mockResolvedValue({ items: [], current_message_id: null });
    api.getConversation.mockResolvedValue(conversation('c1', ''));
    useChat.setState({ conversationId: 'c1' });
    expect(await useChat.getState().send('Hi')).toBe(false);
    expect(useChat.getState().messages).toEqual([]);
    expect((useChat.getState().error as Error).message).toBe('busy');
  });
});

describe('the open conversation while the sidebar searches', () => {
  it('keeps its title when a search hides it from the sidebar', async () => {
    useConversations.setState({ items: [conversation('c1', 'Trip to Kyoto')] });
    api.listMessages.mockResolvedValue({ items: [], current_message_id: null });
    api.getConversation.mockResolvedValue(conversation('c1', 'Trip to Kyoto'));
    await useChat.getState().open('c1');
    expect(useChat.getState().conversation?.title).toBe('Trip to Kyoto');

    // A search whose results do not include the open conversation.
    api.listConversations.mockResolvedValue({ items: [conversation('c2', 'Zebra facts')], next_cursor: null });
    await useConversations.getState().load({ query: 'zebra' });
    expect(useConversations.getState().items.map((c) => c.id)).toEqual(['c2']);
    expect(useChat.getState().conversation?.title).toBe('Trip to Kyoto');
  });

  it('learns the title from the server when the sidebar never listed it, and follows renames', async () => {
    api.listMessages.mockResolvedValue({ items: [], current_message_id: null });
    api.getConversation.mockResolvedValue(conversation('c9', 'Found by address'));
    await useChat.getState().open('c9');
    await vi.waitFor(() => expect(useChat.getState().conversation?.title).toBe('Found by address'));

    useConversations.setState({ items: [conversation('c9', 'Renamed')] });
    expect(useChat.getState().conversation?.title).toBe('Renamed');
  });
});
