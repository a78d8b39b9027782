// A deletion of the account its owner asked for: when it happens (`delete_after` of
// /api/auth/me), for the banner that offers to cancel it, in the chat and in Settings.
import { create } from 'zustand';
import { ApiError, authApi } from '../api';

interface DeletionState {
  /** RFC 3339; null when no deletion is scheduled (or not known yet). */
  deleteAfter: string | null;
  /** The user whose state this is; `check` asks the server once per user. */
  checkedFor: string | null;
  /** From an answer of /api/auth/me or of the deletion request. */
  set: (userId: string, deleteAfter: string | null) => void;
  /** Asks /api/auth/me once for this user; errors leave the banner hidden. */
  check: (userId: string) => Promise<void>;
  /** Cancels the deletion (POST /api/auth/me/restore); the banner goes. */
  cancel: () => Promise<void>;
  reset: () => void;
}

export const useDeletion = create<DeletionState>((set, get) => ({
  deleteAfter: null,
  checkedFor: null,
  set: (userId, deleteAfter) => set({ checkedFor: userId, deleteAfter }),
  check: async (userId) => {
    if (get().checkedFor === userId) return;
    set({ checkedFor: userId });
    try {
      const me = await authApi.me();
      if (get().checkedFor === userId) set({ deleteAfter: me.delete_after ?? null });
    } catch {
      // Not worth an error on the chat screen: Settings shows it when it loads.
      if (get().checkedFor === userId) set({ checkedFor: null });
    }
  },
  cancel: async () => {
    try {
      await authApi.restoreAccount();
    } catch (error) {
      // 409: nothing is scheduled (cancelled elsewhere already): the account stays all the same.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
    set({ deleteAfter: null });
  },
  reset: () => set({ deleteAfter: null, checkedFor: null }),
}));
