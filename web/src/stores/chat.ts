// The open conversation: its messages (the active branch), the turn being streamed and how
// the stream is doing. Stream events are applied once per animation frame, however fast
// they come.
import { create } from 'zustand';
import { ApiError, chatApi, conversationsApi, isAbort, type ChatEvent, type Conversation, type Message, type SendMessage } from '../api';
import { applyEvent, emptyAssistant } from '../lib/turn';
import { loadDraft, saveDraft } from './drafts';
import { useConversations } from './conversations';

interface ChatState {
  conversationId: string | null;
  /**
   * The open conversation as the server last described it: the header's title whether or not
   * the sidebar lists it (a search may hide it there).
   */
  conversation: Conversation | null;
  messages: Message[];
  loading: boolean;
  loadError: unknown;
  /** A turn of this conversation is being read. */
  streaming: boolean;
  reconnecting: boolean;
  /** The last failure to show above the composer. */
  error: unknown;
  open: (id: string | null) => Promise<void>;
  /** Sends a message; resolves false when it never reached the server (keep the draft). */
  send: (text: string, extra?: Omit<SendMessage, 'content'>) => Promise<boolean>;
  /** Creates a conversation with `agentId` and sends its first message; the new id, or null. */
  startConversation: (agentId: string, text: string, extra?: Omit<SendMessage, 'content'>) => Promise<string | null>;
  stop: () => Promise<void>;
  /** A new answer to the question before `messageId` (a sibling of it). */
  regenerate: (messageId: string) => Promise<void>;
  /** Sends `text` in place of the user message `messageId`, as a new branch. */
  edit: (messageId: string, text: string) => Promise<boolean>;
  /** Shows the branch through `messageId` (one of a message's siblings). */
  switchBranch: (messageId: string) => Promise<void>;
  rate: (messageId: string, rating: 'up' | 'down' | null) => Promise<void>;
  /** The user message being edited in place, if any. */
  editing: string | null;
  setEditing: (messageId: string | null) => void;
  dismissError: () => void;
}

let controller: AbortController | null = null;
let pending: ChatEvent[] = [];
let frame: number | null = null;
/** The id the streamed assistant message has in `messages` (local until `start`). */
let streamingId: string | null = null;

const nextFrame = (fn: () => void) =>
  typeof requestAnimationFrame === 'function' ? requestAnimationFrame(fn) : (setTimeout(fn, 16) as unknown as number);
const cancelFrame = (id: number) =>
  typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame(id) : clearTimeout(id);

export const useChat = create<ChatState>((set, get) => {
  /** Applies the queued events to the streamed message, in one state change. */
  function flush() {
    if (frame !== null) cancelFrame(frame);
    frame = null;
    if (pending.length === 0 || streamingId === null) return;
    const events = pending;
    pending = [];
    const messages = get().messages.map((m) => {
      if (m.id !== streamingId) return m;
      let next = m;
      for (const event of events) next = applyEvent(next, event);
      streamingId = next.id;
      return next;
    });
    // The user message gets its server id too.
    const start = events.find((e) => e.type === 'start');
    const fixed =
      start && start.type === 'start'
        ? messages.map((m) => (m.id.startsWith('local-user') ? { ...m, id: start.data.user_message_id } : m))
        : messages;
    set({ messages: fixed });
  }

  function onEvent(event: ChatEvent) {
    pending.push(event);
    if (event.type === 'done' || event.type === 'error' || event.type === 'start') flush();
    else frame ??= nextFrame(flush);
  }

  /** Reads a turn's stream into the message `assistantId`; reloads the branch at the end. */
  async function follow(conversationId: string, assistantId: string, open: (handlers: chatApi.StreamHandlers) => Promise<unknown>) {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    streamingId = assistantId;
    pending = [];
    set({ streaming: true, reconnecting: false, error: null });
    let started = false;
    try {
      await open({
        signal: mine.signal,
        onEvent: (event) => {
          started = true;
          if (get().reconnecting) set({ reconnecting: false });
          onEvent(event);
        },
        onReconnect: () => set({ reconnecting: true }),
      });
      flush();
      return started;
    } catch (error) {
      flush();
      if (!isAbort(error) && controller === mine) set({ error });
      return started;
    } finally {
      if (controller === mine) {
        controller = null;
        streamingId = null;
        set({ streaming: false, reconnecting: false });
        if (get().conversationId === conversationId) void refresh(conversationId, started);
      }
    }
  }

  /**
   * After a turn: the server's view of the branch (ids, siblings, usage) and the title. The
   * server may announce `done` a moment before it has stored the answer: while it still calls
   * a message we saw finish `streaming`, ours is kept and the server is asked again shortly.
   */
  async function refresh(conversationId: string, started: boolean, attempt = 0) {
    try {
      const [list, conversation] = await Promise.all([
        conversationsApi.listMessages(conversationId),
        conversationsApi.getConversation(conversationId),
      ]);
      useConversations.getState().upsert(conversation);
      if (get().conversationId === conversationId) set({ conversation });
      if (get().conversationId !== conversationId || get().streaming) return;
      const ours = new Map(get().messages.map((m) => [m.id, m]));
      let behind = false;
      const merged = list.items.map((m) => {
        const mine = ours.get(m.id);
        if (m.status === 'streaming' && mine && mine.status !== 'streaming') {
          behind = true;
          return { ...m, status: mine.status, content: mine.content, usage: mine.usage ?? m.usage, error: mine.error ?? m.error };
        }
        return m;
      });
      // A message that never reached the server stays visible until the user retries.
      if (started || merged.length >= get().messages.length) set({ messages: merged });
      if (behind && attempt < 5) {
        setTimeout(() => void refresh(conversationId, started, attempt + 1), 400 * (attempt + 1));
        return;
      }
      // Still running on the server though we stopped reading (a dropped stream): reattach.
      const last = merged[merged.length - 1];
      if (!behind && controller === null && last?.role === 'assistant' && last.status === 'streaming') {
        void follow(conversationId, last.id, (handlers) => chatApi.resume(conversationId, handlers));
      }
    } catch {
      // The messages shown are still right enough; the next open reloads them.
    }
  }

  /**
   * Sends after `base` (the messages kept on screen): under its last message, or under
   * `parent` when given (null: a new first question).
   */
  async function sendTo(
    conversationId: string,
    text: string,
    extra: Omit<SendMessage, 'content'> = {},
    base = get().messages,
    parent: string | null | undefined = base[base.length - 1]?.id,
  ) {
    const before = get().messages;
    const messages = base;
    const userId = `local-user-${Date.now()}`;
    const assistantId = `local-assistant-${Date.now()}`;
    const user: Message = {
      id: userId,
      parent_id: parent ?? null,
      role: 'user',
      content: [{ type: 'text', text }],
      status: 'complete',
      sibling_ids: [userId],
      created_at: new Date().toISOString(),
    };
    set({ messages: [...messages, user, emptyAssistant(assistantId, userId)] });
    const started = await follow(conversationId, assistantId, (handlers) =>
      chatApi.sendMessage(conversationId, { content: text, ...(parent !== undefined ? { parent_id: parent } : {}), ...extra }, {
        ...handlers,
        onEvent: (event) => {
          // The server has the question: its saved draft can go (a reload must not offer it again).
          if (event.type === 'start') {
            for (const key of [conversationId, 'new']) if (loadDraft(key) === text) saveDraft(key, '');
          }
          handlers.onEvent(event);
        },
      }),
    );
    if (!started && get().conversationId === conversationId) {
      // Nothing was accepted: back to what was shown.
      set({ messages: before });
    }
    return started;
  }

  return {
    conversationId: null,
    conversation: null,
    messages: [],
    loading: false,
    loadError: null,
    streaming: false,
    reconnecting: false,
    error: null,

    open: async (id) => {
      if (id === get().conversationId) return;
      controller?.abort();
      controller = null;
      set({ conversationId: id, conversation: null, messages: [], loadError: null, error: null, streaming: false, editing: null, loading: id !== null });
      if (!id) return;
      const listed = useConversations.getState().items.find((c) => c.id === id);
      if (listed) set({ conversation: listed });
      Promise.resolve(conversationsApi.getConversation(id)).then(
        (conversation) => conversation && get().conversationId === id && set({ conversation }),
        () => undefined, // the messages' load reports a missing conversation
      );
      try {
        const list = await conversationsApi.listMessages(id);
        if (get().conversationId !== id) return;
        set({ messages: list.items, loading: false });
        const last = list.items[list.items.length - 1];
        if (last?.role === 'assistant' && last.status === 'streaming') {
          void follow(id, last.id, (handlers) => chatApi.resume(id, handlers));
        }
      } catch (error) {
        if (get().conversationId === id) set({ loading: false, loadError: error });
      }
    },

    send: async (text, extra) => {
      const id = get().conversationId;
      if (!id || get().streaming) return false;
      return sendTo(id, text, extra);
    },

    startConversation: async (agentId, text, extra) => {
      let conversation;
      try {
        conversation = await conversationsApi.createConversation(agentId);
      } catch (error) {
        set({ error });
        return null;
      }
      useConversations.getState().upsert(conversation);
      controller?.abort();
      set({ conversationId: conversation.id, conversation, messages: [], loading: false, loadError: null, error: null });
      void sendTo(conversation.id, text, extra);
      return conversation.id;
    },

    stop: async () => {
      const id = get().conversationId;
      if (!id || !get().streaming) return;
      try {
        // The server ends the turn and sends `done` (stopped) on the stream we are reading.
        await chatApi.stop(id);
        // Stop reading if `done` does not come — but only this stream, not a later one.
        const stopping = controller;
        setTimeout(() => {
          if (controller === stopping) stopping?.abort();
        }, 5000);
      } catch (error) {
        controller?.abort();
        if (!(error instanceof ApiError && error.status === 404)) set({ error });
      }
    },

    regenerate: async (messageId) => {
      const id = get().conversationId;
      const messages = get().messages;
      const index = messages.findIndex((m) => m.id === messageId);
      const target = messages[index];
      if (!id || get().streaming || !target) return;
      const assistantId = `local-assistant-${Date.now()}`;
      const fresh = emptyAssistant(assistantId, target.parent_id ?? null, target.agent_id ?? undefined);
      set({ messages: [...messages.slice(0, index), fresh] });
      const started = await follow(id, assistantId, (handlers) => chatApi.regenerate(id, messageId, handlers));
      if (!started && get().conversationId === id) set({ messages });
    },

    edit: async (messageId, text) => {
      const id = get().conversationId;
      const messages = get().messages;
      const index = messages.findIndex((m) => m.id === messageId);
      const target = messages[index];
      if (!id || get().streaming || !target) return false;
      return sendTo(id, text, {}, messages.slice(0, index), target.parent_id ?? null);
    },

    switchBranch: async (messageId) => {
      const id = get().conversationId;
      if (!id || get().streaming) return;
      try {
        await conversationsApi.updateConversation(id, { current_message_id: messageId });
        const list = await conversationsApi.listMessages(id);
        if (get().conversationId === id) set({ messages: list.items });
      } catch (error) {
        set({ error });
      }
    },

    rate: async (messageId, rating) => {
      const update = (value: 'up' | 'down' | null) =>
        set({ messages: get().messages.map((m) => (m.id === messageId ? { ...m, feedback: value } : m)) });
      const before = get().messages.find((m) => m.id === messageId)?.feedback ?? null;
      update(rating);
      try {
        await chatApi.feedback(messageId, rating);
      } catch (error) {
        update(before);
        set({ error });
      }
    },

    editing: null,
    setEditing: (editing) => set({ editing }),

    dismissError: () => set({ error: null }),
  };
});

// A change made in the sidebar (rename, pin, agent) shows in the header at once.
useConversations.subscribe((state) => {
  const { conversationId, conversation } = useChat.getState();
  if (!conversationId) return;
  const listed = state.items.find((c) => c.id === conversationId);
  if (listed && listed !== conversation) useChat.setState({ conversation: listed });
});
