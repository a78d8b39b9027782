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
// Chat. Field names come from the generated schema; where the server documents a field only
// as a string or an object (roles, statuses, message parts, event payloads), the type below
// narrows it to the documented values.

export type Conversation = Schemas['ConversationView'];

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
export type Usage = Schemas['UsageEvent'] | (Schemas['MessageUsage'] & { estimated?: boolean });

type Refine<T, R> = Omit<T, keyof R> & R;

export type Message = Refine<
  Schemas['MessageView'],
  {
    role: 'user' | 'assistant';
    status: MessageStatus;
    content: Part[];
    error?: { code: string; message: string } | null;
    feedback?: 'up' | 'down' | null;
    usage?: Usage | null;
  }
>;

export type MessageList = Refine<Schemas['MessageList'], { items: Message[] }>;

export type SendMessage = Refine<
  Schemas['NewMessage'],
  { content: string; variables?: Record<string, unknown>; interactive_answer?: unknown }
>;

/** The events of a turn's stream, by `event:` name. */
export interface ChatEvents {
  start: Schemas['StartEvent'];
  delta: Schemas['TextEvent'];
  reasoning: Schemas['TextEvent'];
  replace: Schemas['TextEvent'];
  status: Refine<Schemas['StatusEvent'], { state: StatusState }>;
  interactive: Refine<
    Schemas['InteractiveEvent'],
    { kind: 'select' | 'form'; options?: InteractiveOption[]; fields?: InteractiveField[] }
  >;
  citation: { items: Citation[] };
  tool: Schemas['ToolEvent'];
  usage: Schemas['UsageEvent'];
  done: Refine<Schemas['DoneEvent'], { status: 'complete' | 'stopped' | 'failed'; usage?: Usage | null }>;
  error: Schemas['ErrorEvent'];
}

export type ChatEvent = { [K in keyof ChatEvents]: { type: K; data: ChatEvents[K]; id?: string } }[keyof ChatEvents];
