import { request } from './client';
import type { Conversation, ConversationChanges, MessageList, Page } from './types';

export interface ConversationQuery {
  q?: string;
  agent_id?: string;
  archived?: boolean;
  cursor?: string;
  limit?: number;
}

const path = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

export function listConversations(query: ConversationQuery = {}, signal?: AbortSignal): Promise<Page<Conversation>> {
  return request('GET', '/api/conversations', { query: { ...query }, signal });
}

export function createConversation(agentId: string, title?: string): Promise<Conversation> {
  return request('POST', '/api/conversations', { body: { agent_id: agentId, ...(title ? { title } : {}) } });
}

export function getConversation(id: string, signal?: AbortSignal): Promise<Conversation> {
  return request('GET', path(id), { signal });
}

export function updateConversation(id: string, changes: ConversationChanges): Promise<Conversation> {
  return request('PATCH', path(id), { body: changes });
}

export function deleteConversation(id: string): Promise<void> {
  return request('DELETE', path(id));
}

export function listMessages(id: string, signal?: AbortSignal): Promise<MessageList> {
  return request('GET', `${path(id)}/messages`, { signal });
}

/** The export file's URL contents, as text. */
export function exportConversation(id: string, format: 'markdown' | 'json'): Promise<string> {
  return request<string | object>('GET', `${path(id)}/export`, { query: { format } }).then((body) =>
    typeof body === 'string' ? body : JSON.stringify(body, null, 2),
  );
}
