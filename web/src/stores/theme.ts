import { create } from 'zustand';

export type ThemeMode = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'llmchat.theme';

function saved(): ThemeMode {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

const media = () => window.matchMedia?.('(prefers-color-scheme: dark)');

/** Puts the effective theme on <html data-theme>, which the CSS variables follow. */
function apply(mode: ThemeMode) {
  const dark = mode === 'dark' || (mode === 'system' && media()?.matches === true);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
}

interface ThemeState {
  mode: ThemeMode;
  setMode: (mode: ThemeMode) => void;
}

export const useTheme = create<ThemeState>((set) => ({
  mode: saved(),
  setMode: (mode) => {
    localStorage.setItem(STORAGE_KEY, mode);
    apply(mode);
    set({ mode });
  },
}));

/** Applies the saved theme and follows the system's while the mode is `system`. */
export function initTheme() {
  apply(useTheme.getState().mode);
  media()?.addEventListener('change', () => {
    if (useTheme.getState().mode === 'system') apply('system');
  });
}
