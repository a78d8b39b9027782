// The sidebar's list of conversations: the server does the search (`q`); changes are applied
// at once and undone when the server refuses them.
import { create } from 'zustand';
import { conversationsApi, type Conversation, type ConversationChanges } from '../api';

interface ConversationsState {
  items: Conversation[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
  query: string;
  archived: boolean;
  /** Bumped by every load, so that an older answer never overwrites a newer one. */
  generation: number;
  load: (options?: { query?: string; archived?: boolean }) => Promise<void>;
  loadMore: () => Promise<void>;
  upsert: (conversation: Conversation) => void;
  update: (id: string, changes: ConversationChanges) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

const PAGE = 50;

export const useConversations = create<ConversationsState>((set, get) => ({
  items: [],
  nextCursor: null,
  loading: false,
  error: null,
  query: '',
  archived: false,
  generation: 0,

  load: async (options = {}) => {
    const query = options.query ?? get().query;
    const archived = options.archived ?? get().archived;
    const generation = get().generation + 1;
    set({ query, archived, generation, loading: true, error: null });
    try {
      const page = await conversationsApi.listConversations({ q: query.trim() || undefined, archived, limit: PAGE });
      if (get().generation !== generation) return;
      set({ items: page.items, nextCursor: page.next_cursor ?? null, loading: false });
    } catch (error) {
      if (get().generation === generation) set({ loading: false, error });
    }
  },

  loadMore: async () => {
    const { nextCursor, query, archived, generation, loading } = get();
    if (!nextCursor || loading) return;
    set({ loading: true });
    try {
      const page = await conversationsApi.listConversations({ q: query.trim() || undefined, archived, cursor: nextCursor, limit: PAGE });
      if (get().generation !== generation) return;
      const known = new Set(get().items.map((c) => c.id));
      set({
        items: [...get().items, ...page.items.filter((c) => !known.has(c.id))],
        nextCursor: page.next_cursor ?? null,
        loading: false,
      });
    } catch (error) {
      set({ loading: false, error });
    }
  },

  upsert: (conversation) => {
    const items = get().items.filter((c) => c.id !== conversation.id);
    set({ items: [conversation, ...items] });
  },

  update: async (id, changes) => {
    const before = get().items;
    set({ items: before.map((c) => (c.id === id ? { ...c, ...stripNull(changes) } : c)) });
    try {
      const saved = await conversationsApi.updateConversation(id, changes);
      set({ items: get().items.map((c) => (c.id === id ? { ...c, ...saved } : c)) });
      // Archiving moves it out of the current view.
      if (changes.archived !== undefined && changes.archived !== get().archived) {
        set({ items: get().items.filter((c) => c.id !== id) });
      }
    } catch (error) {
      set({ items: before });
      throw error;
    }
  },

  remove: async (id) => {
    const before = get().items;
    set({ items: before.filter((c) => c.id !== id) });
    try {
      await conversationsApi.deleteConversation(id);
    } catch (error) {
      set({ items: before });
      throw error;
    }
  },
}));

function stripNull(changes: ConversationChanges): Partial<Conversation> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null && v !== undefined)) as Partial<Conversation>;
}
