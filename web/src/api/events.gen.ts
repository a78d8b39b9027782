// Generated from openapi.json by `npm run gen:api` (scripts/gen-api.mjs). Do not edit.
// Regenerate both with ../../scripts/gen-api.sh after changing the API.

/** The `event:` names of a turn's stream (`ChatEventName` in the API document). */
export const CHAT_EVENT_NAMES = ["start","delta","reasoning","replace","status","interactive","citation","tool","usage","done","error"] as const;
