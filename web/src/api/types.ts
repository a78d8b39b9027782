// Payload types. Everything here comes from the generated schema (schema.d.ts, from the
// server's OpenAPI document); the chat types below the line follow the chat API contract and
// move to the generated schema as soon as the server documents those routes.
import type { components } from './schema';

type Schemas = components['schemas'];

export type User = Schemas['UserView'];
export type Role = Schemas['Role'];
export type TokenResponse = Schemas['TokenResponse'];
export type Agent = Schemas['AgentView'];
export type Capability = Schemas['Capability'];
export type AgentInit = Schemas['AppInit'];
export type InteractiveField = Schemas['InteractiveField'];
export type InteractiveOption = Schemas['InteractiveOption'];
export type ApiKey = Schemas['ApiKeyView'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type NewApiKey = Schemas['NewApiKeyRequest'];
export type ConversationChanges = Schemas['ConversationChanges'];
export type Version = Schemas['Version'];

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

// ---------------------------------------------------------------------------------------
// The chat API contract (routes being added on the server).

export type Conversation = Schemas['ConversationView'] & {
  /** The running turn's assistant message id, when one runs. */
  active_turn?: string | null;
};

export interface Citation {
  title: string;
  snippet?: string | null;
  url?: string | null;
  score?: number | null;
}

export type Part =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'status'; node: string; state: StatusState; detail?: string | null }
  | { type: 'citation'; items: Citation[] }
  | {
      type: 'interactive';
      kind: 'select' | 'form';
      prompt?: string | null;
      options?: InteractiveOption[];
      fields?: InteractiveField[];
      answer?: unknown;
    }
  | { type: 'tool'; id: string; name: string; arguments: string; result?: string | null }
  | { type: 'attachment'; upload_id: string; name: string; mime: string; size: number };

export type StatusState = 'running' | 'done' | 'failed';
export type MessageStatus = 'streaming' | 'complete' | 'stopped' | 'failed' | 'interrupted';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  estimated?: boolean;
}

export interface Message {
  id: string;
  parent_id: string | null;
  role: 'user' | 'assistant';
  content: Part[];
  status: MessageStatus;
  agent_id?: string | null;
  model?: string | null;
  usage?: Usage | null;
  ttft_ms?: number | null;
  duration_ms?: number | null;
  feedback?: 'up' | 'down' | null;
  error?: { code: string; message: string } | null;
  sibling_ids: string[];
  created_at: string;
}

export interface MessageList {
  items: Message[];
  current_message_id: string | null;
}

export interface SendMessage {
  content: string;
  parent_id?: string | null;
  attachments?: string[];
  variables?: Record<string, unknown>;
  interactive_answer?: unknown;
}

/** The events of a turn's stream, by `event:` name. */
export interface ChatEvents {
  start: { conversation_id: string; user_message_id: string; message_id: string; agent_id: string };
  delta: { text: string };
  reasoning: { text: string };
  replace: { text: string };
  status: { node: string; state: StatusState; detail?: string | null };
  interactive: { kind: 'select' | 'form'; prompt?: string | null; options?: InteractiveOption[]; fields?: InteractiveField[] };
  citation: { items: Citation[] };
  tool: { id: string; name: string; arguments_delta?: string; result?: string };
  usage: Usage;
  done: { message_id: string; status: 'complete' | 'stopped' | 'failed'; usage?: Usage | null };
  error: { code: string; message: string; agent_id?: string };
}

export type ChatEvent = { [K in keyof ChatEvents]: { type: K; data: ChatEvents[K]; id?: string } }[keyof ChatEvents];
