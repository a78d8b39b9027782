import { create } from 'zustand';
import { onSessionChange, refreshSession, type SessionEnd, type User } from '../api';
import { useAgents } from './agents';
import { useChat } from './chat';
import { useConversations } from './conversations';
import { useDeletion } from './deletion';

interface AuthState {
  /** `loading` until the first refresh answered. */
  status: 'loading' | 'signed_in' | 'signed_out';
  user: User | null;
  /** Why the last session ended, for the login page's notice. */
  ended: SessionEnd | null;
}

export const useAuth = create<AuthState>(() => ({ status: 'loading', user: null, ended: null }));

onSessionChange((session, why) => {
  const previous = useAuth.getState().user;
  if (!session || (previous && previous.id !== session.user.id)) forgetUserData();
  if (session) useAuth.setState({ status: 'signed_in', user: session.user, ended: null });
  else useAuth.setState({ status: 'signed_out', user: null, ended: why ?? null });
});

/** Nothing of one user's stays on screen for the next one. */
function forgetUserData() {
  void useChat.getState().open(null);
  useConversations.setState({ items: [], nextCursor: null, query: '', archived: false, error: null });
  useAgents.setState({ agents: [], loaded: false, error: null });
  useDeletion.getState().reset();
}

/** Restores the session from the refresh cookie, once at start. */
export async function restoreSession() {
  try {
    const session = await refreshSession();
    if (!session) useAuth.setState({ status: 'signed_out', ended: null });
  } catch {
    // Server unreachable: show the login page; it reports errors when used.
    useAuth.setState({ status: 'signed_out' });
  }
}
