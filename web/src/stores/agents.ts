import { create } from 'zustand';
import { agentsApi, type Agent } from '../api';

const LAST_AGENT_KEY = 'llmchat.last-agent';

interface AgentsState {
  agents: Agent[];
  loaded: boolean;
  error: unknown;
  /** The agent a new chat starts with. */
  selected: string | null;
  load: () => Promise<void>;
  select: (id: string) => void;
}

export const useAgents = create<AgentsState>((set, get) => ({
  agents: [],
  loaded: false,
  error: null,
  selected: localStorage.getItem(LAST_AGENT_KEY),
  load: async () => {
    try {
      const agents = (await agentsApi.listAgents()).filter((a) => a.enabled);
      const selected = get().selected;
      set({
        agents,
        loaded: true,
        error: null,
        selected: agents.some((a) => a.id === selected) ? selected : (agents[0]?.id ?? null),
      });
    } catch (error) {
      set({ loaded: true, error });
    }
  },
  select: (id) => {
    localStorage.setItem(LAST_AGENT_KEY, id);
    set({ selected: id });
  },
}));

export function agentById(agents: Agent[], id: string | null | undefined): Agent | undefined {
  return agents.find((a) => a.id === id);
}
