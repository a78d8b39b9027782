// Whether and how accounts can be created on this server (the sign-in and register pages).
// Asked again each time one of those pages opens: an admin may change it at any moment.
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
