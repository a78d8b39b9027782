// Payload types. Everything here comes from the generated schema (schema.d.ts, from the
// server's OpenAPI document): names for the UI, no refinements.
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

// Groups: who may use which agent.
export type Group = Schemas['GroupView'];
export type GroupList = Schemas['GroupList'];
/** A group with its members (`GET /api/admin/groups/{id}`). */
export type GroupDetail = Schemas['GroupDetail'];
/** One member of a group; `source` says who manages the membership. */
export type GroupMember = Schemas['MemberView'];
export type NewGroup = Schemas['NewGroup'];
export type GroupPatch = Schemas['GroupPatch'];
/** A group's id and name. */
export type GroupRef = Schemas['GroupRef'];
/** `GET/PUT /api/admin/agents/{id}/groups`: no groups means everyone. */
export type AgentAccess = Schemas['AgentAccess'];
export type AgentAccessRequest = Schemas['AgentAccessRequest'];
/** `GET /api/auth/me`: the signed-in user and their groups. */
export type Me = Schemas['MeView'];
/** `PATCH /api/auth/me`: the custom instructions (null or empty clears them). */
export type MePatch = Schemas['MePatch'];
/** `DELETE /api/auth/me`: the password again, or the username for an account without one. */
export type DeleteAccountRequest = Schemas['DeleteAccountRequest'];
/** The answer to `DELETE /api/auth/me` when the server keeps the account for a grace period. */
export type DeletionScheduled = Schemas['DeletionScheduled'];

// The data lifecycle (admin): accounts due, group retention, orphaned uploads.
/** `GET /api/admin/lifecycle`: what a pass would delete now. */
export type LifecyclePreview = Schemas['LifecyclePreview'];
export type GroupRetention = Schemas['GroupRetention'];
/** `POST /api/admin/lifecycle/run`: what a pass deleted. */
export type LifecycleSwept = Schemas['Swept'];

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

// ---------------------------------------------------------------------------------------
// Chat. Everything comes from the generated schema.

export type Conversation = Schemas['ConversationView'];

export type Citation = Schemas['Citation'];
/** One part of a message's content, tagged by `type`. */
export type Part = Schemas['MessagePart'];
export type StatusState = Schemas['NodeState'];
export type MessageStatus = Schemas['MessageStatus'];
export type MessageRole = Schemas['MessageRole'];
export type Feedback = Schemas['Feedback'];
export type Usage = Schemas['UsageEvent'] | Schemas['MessageUsage'];
export type Message = Schemas['MessageView'];
export type MessageList = Schemas['MessageList'];
export type SendMessage = Schemas['NewMessage'];

/** The events of a turn's stream, by `event:` name (`ChatEventName`), with their payloads. */
export interface ChatEvents {
  start: Schemas['StartEvent'];
  delta: Schemas['TextEvent'];
  reasoning: Schemas['TextEvent'];
  replace: Schemas['TextEvent'];
  status: Schemas['StatusEvent'];
  interactive: Schemas['InteractiveEvent'];
  citation: Schemas['CitationEvent'];
  tool: Schemas['ToolEvent'];
  usage: Schemas['UsageEvent'];
  done: Schemas['DoneEvent'];
  error: Schemas['ErrorEvent'];
}
// Compiles only while ChatEvents names exactly the server's event names.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const chatEventsCoverTheServers: Same<keyof ChatEvents, Schemas['ChatEventName']> = true;

export type ChatEvent = { [K in keyof ChatEvents]: { type: K; data: ChatEvents[K]; id?: string } }[keyof ChatEvents];

// ---------------------------------------------------------------------------------------
// Registration, invitations, provider model lists, the connection test on save, own usage.

export type RegistrationMode = Schemas['Registration'];
/** `GET /api/auth/registration`. */
export type RegistrationInfo = Schemas['RegistrationInfo'];
/** A single sign-on provider as the sign-in page shows it (`RegistrationInfo.providers`). */
export type SsoProvider = Schemas['SsoProvider'];
/** An identity at a single sign-on provider, linked to the account (`Me.identities`). */
export type LinkedIdentity = Schemas['IdentityView'];
/** `GET/PATCH /api/admin/settings`. */
export type AdminSettings = Schemas['ServerSettingsView'];

export type InvitationStatus = Schemas['InvitationStatus'];
export type Invitation = Schemas['InvitationView'];
/** The answer to creating an invitation: the only one that carries the code. */
export type CreatedInvitation = Schemas['CreatedInvitation'];
export type NewInvitation = Schemas['NewInvitationRequest'];

/** `POST /api/admin/agents/models`. */
export type ProviderModels = Schemas['ModelsView'];
export type ConnectionErrorKind = Schemas['FailureKind'];

// The caller's own usage.
export type UsageReport = Schemas['UsageReport'];
export type UsageDay = Schemas['UsageDay'];
export type UsageTotals = Schemas['UsageTotals'];

// Prices and budgets.
/** One model's price per million tokens (`GET /api/admin/prices`), in the list's `currency`. */
export type Price = Schemas['PriceView'];
export type PriceList = Schemas['PriceList'];
/** `PUT /api/admin/prices`. */
export type PriceRequest = Schemas['PriceRequest'];
/** A user's (their own use) or a group's (its members' use together) budget. */
export type Budget = Schemas['BudgetView'];
export type BudgetList = Schemas['BudgetList'];
/** `PUT /api/admin/budgets/{scope}/{id}`: null is no limit; both null removes the budget. */
export type BudgetRequest = Schemas['BudgetRequest'];
/** Whose budget: the server's daily quota, the user's own, or a group's. */
export type BudgetScope = Schemas['BudgetScope'];
export type BudgetKind = Schemas['BudgetKind'];
/** One budget that applies to the signed-in user, with what is left of it. */
export type BudgetStatus = Schemas['BudgetStatus'];
/** `GET /api/usage/budgets`. */
export type MyBudgets = Schemas['MyBudgets'];

// Share links: a read-only snapshot of a conversation at `/share/{id}`.
/** A link as its owner sees it; `status` is `live`, `expired` or `revoked`. */
export type Share = Schemas['ShareView'];
export type ShareList = Schemas['ShareList'];
/** `POST /api/conversations/{id}/shares`. */
export type NewShare = Schemas['NewShareRequest'];
/** `GET /api/shared/{id}`: what the link shows, to anyone (or to members only). */
export type SharedConversation = Schemas['SharedConversation'];
export type SharedMessage = Schemas['SharedMessage'];

// Prompt presets, picked from the composer.
/** `shared`: an admin's preset for everyone who uses its agent; `agent_id` null: any agent. */
export type Preset = Schemas['PresetView'];
export type PresetList = Schemas['PresetList'];
/** `POST /api/presets`. */
export type NewPreset = Schemas['NewPresetRequest'];
/** `PATCH /api/presets/{id}`. */
export type PresetPatch = Schemas['PresetPatch'];
