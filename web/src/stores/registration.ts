// Whether and how accounts can be created and sign in on this server (the sign-in and
// register pages, Settings). Asked again each time one of those pages opens: an admin may
// change it at any moment.
import { useEffect } from 'react';
import { create } from 'zustand';
import { authApi, type RegistrationInfo } from '../api';

interface RegistrationState {
  info: RegistrationInfo | null;
  error: unknown;
  load: () => Promise<void>;
}

export const useRegistration = create<RegistrationState>((set) => ({
  info: null,
  error: null,
  load: async () => {
    try {
      set({ info: await authApi.registration(), error: null });
    } catch (error) {
      // Older servers and network trouble: the pages fall back to open registration.
      set({ error });
    }
  },
}));

/** The server's answer, asked again when the calling page opens; null until it came. */
export function useRegistrationInfo(): RegistrationInfo | null {
  const { info, load } = useRegistration();
  useEffect(() => {
    void load();
  }, [load]);
  return info;
}
