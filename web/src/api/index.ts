// The only module that speaks HTTP. Components and hooks import from here.
export * as authApi from './auth';
export * as adminApi from './admin';
export * as agentsApi from './agents';
export * as chatApi from './chat';
export * as conversationsApi from './conversations';
export * as keysApi from './keys';
export * as presetsApi from './presets';
export * as sharesApi from './shares';
export * as uploadsApi from './uploads';
export * as usageApi from './usage';
export type { Upload } from './uploads';
export { ApiError, isAbort, type Problem } from './errors';
export { getSession, onSessionChange, refreshSession, type Session, type SessionEnd } from './session';
export type * from './types';
