import { request } from './client';
import type { Agent, AgentInit } from './types';

export async function listAgents(): Promise<Agent[]> {
  const list = await request<{ items: Agent[] }>('GET', '/api/agents');
  return list.items;
}

export function agentInit(id: string, signal?: AbortSignal): Promise<AgentInit> {
  return request('GET', `/api/agents/${encodeURIComponent(id)}/init`, { signal });
}
