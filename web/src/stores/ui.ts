import { create } from 'zustand';

const COLLAPSED_KEY = 'llmchat.sidebar-collapsed';

interface UiState {
  /** Desktop: the sidebar is folded away. */
  collapsed: boolean;
  /** Phone: the sidebar drawer is open. */
  drawerOpen: boolean;
  toggleCollapsed: () => void;
  setDrawer: (open: boolean) => void;
  /** The keyboard shortcuts dialog. */
  helpOpen: boolean;
  setHelp: (open: boolean) => void;
}

export const useUi = create<UiState>((set, get) => ({
  collapsed: localStorage.getItem(COLLAPSED_KEY) === '1',
  drawerOpen: false,
  toggleCollapsed: () => {
    const collapsed = !get().collapsed;
    localStorage.setItem(COLLAPSED_KEY, collapsed ? '1' : '0');
    set({ collapsed });
  },
  setDrawer: (drawerOpen) => set({ drawerOpen }),
  helpOpen: false,
  setHelp: (helpOpen) => set({ helpOpen }),
}));
