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
/** What an API key may do: `chat`, or also `admin` (the admin API). */
export type KeyScope = Schemas['Scope'];
/** `DELETE /api/keys`. */
export type RevokedKeys = Schemas['RevokedKeys'];
/** `POST /api/auth/password`. */
export type PasswordChange = Schemas['PasswordChange'];
export type ConversationChanges = Schemas['ConversationChanges'];
export type Version = Schemas['Version'];
/** What an upload is to a conversation: an image or a text file. */
export type UploadKind = Schemas['UploadKind'];
/** `GET /api/uploads/usage`: what the caller's uploads take, against the quota. */
export type UploadUsage = Schemas['UploadUsage'];

// Admin console.
export type AdminStats = Schemas['AdminStats'];
export type DayStats = Schemas['DayStats'];
export type AdminUsageReport = Schemas['AdminUsageReport'];
export type UsageGroup = Schemas['UsageGroup'];
export type AdminAgent = Schemas['AdminAgentView'];
export type AgentDefinition = Schemas['AgentDef'];
export type ProviderDefinition = Schemas['ProviderDef'];
export type UpstreamDefinition = Schemas['UpstreamDef'];
export type ProviderKind = Schemas['ProviderKind'];
export type ConnectionTest = Schemas['ConnectionTest'];
export type ReloadResult = Schemas['ReloadResult'];
export type ConfigReloadOutcome = Schemas['Outcome'];
export type AuditEntry = Schemas['AuditView'];
export type Health = Schemas['Health'];
export type ComponentStatus = Schemas['ComponentStatus'];
export type NewUser = Schemas['NewUserRequest'];
export type UserPatch = Schemas['UserPatch'];

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

// ---------------------------------------------------------------------------------------
// Chat. Everything comes from the generated schema; where the server documents a field only
// as a string or an object (roles, feedback, error and event payloads), the type below
// narrows it to the documented values.

export type Conversation = Schemas['ConversationView'];

export type Citation = Schemas['Citation'];
/** One part of a message's content, tagged by `type`. */
export type Part = Schemas['MessagePart'];
export type StatusState = Schemas['NodeState'];
export type MessageStatus = Schemas['MessageStatus'];
export type Usage = Schemas['UsageEvent'] | (Schemas['MessageUsage'] & { estimated?: boolean });

type Refine<T, R> = Omit<T, keyof R> & R;

export type Message = Refine<
  Schemas['MessageView'],
  {
    role: 'user' | 'assistant';
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
  status: Schemas['StatusEvent'];
  interactive: Refine<Schemas['InteractiveEvent'], { options?: InteractiveOption[]; fields?: InteractiveField[] }>;
  citation: { items: Citation[] };
  tool: Schemas['ToolEvent'];
  usage: Schemas['UsageEvent'];
  done: Refine<Schemas['DoneEvent'], { status: 'complete' | 'stopped' | 'failed'; usage?: Usage | null }>;
  error: Schemas['ErrorEvent'];
}

export type ChatEvent = { [K in keyof ChatEvents]: { type: K; data: ChatEvents[K]; id?: string } }[keyof ChatEvents];

// ---------------------------------------------------------------------------------------
// Registration, invitations, provider model lists, the connection test on save, own usage.

export type RegistrationMode = Schemas['Registration'];
/** `GET /api/auth/registration`. */
export type RegistrationInfo = Schemas['RegistrationInfo'];
/** `GET/PATCH /api/admin/settings`. */
export type AdminSettings = Schemas['ServerSettingsView'];

export type InvitationStatus = 'pending' | 'used' | 'expired' | 'revoked';
/** An invitation; the server documents `status` as a string of these four. */
export type Invitation = Refine<Schemas['InvitationView'], { status: InvitationStatus }>;
/** The answer to creating an invitation: the only one that carries the code. */
export type CreatedInvitation = Invitation & { code: string };
export type NewInvitation = Schemas['NewInvitationRequest'];

/** `POST /api/admin/agents/models`. */
export type ProviderModels = Schemas['ModelsView'];
export type ConnectionErrorKind = Schemas['FailureKind'];

// The caller's own usage.
export type UsageReport = Schemas['UsageReport'];
export type UsageDay = Schemas['UsageDay'];
export type UsageTotals = Schemas['UsageTotals'];
