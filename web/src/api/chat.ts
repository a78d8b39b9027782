// A turn's stream: POST a message (or regenerate), read its events, and when the connection
// drops reattach with GET /stream and Last-Event-ID, so nothing is lost or repeated.
import { send } from './client';
import { errorFrom } from './errors';
import { consumeStream, type SseMessage, type StreamOutcome } from './sse';
import { CHAT_EVENT_NAMES } from './events.gen';
import type { ChatEvent, SendMessage } from './types';

export interface StreamHandlers {
  onEvent: (event: ChatEvent) => void;
  onReconnect?: (attempt: number) => void;
  signal: AbortSignal;
}

const TERMINAL = new Set(['done', 'error']);
const KNOWN = new Set<string>(CHAT_EVENT_NAMES);

/** Parses one SSE message into a chat event; unknown or malformed ones are skipped. */
export function toChatEvent(message: SseMessage): ChatEvent | undefined {
  if (!KNOWN.has(message.event)) return undefined;
  try {
    return { type: message.event, data: JSON.parse(message.data), id: message.id } as ChatEvent;
  } catch {
    return undefined;
  }
}

function run(
  conversationId: string,
  first: (signal: AbortSignal) => Promise<Response>,
  handlers: StreamHandlers,
): Promise<StreamOutcome> {
  return consumeStream({
    signal: handlers.signal,
    // Never repeat the first request: a POST that reached the server must not send twice.
    open: (lastEventId, signal, connection) =>
      connection === 0 ? first(signal) : reattach(conversationId, lastEventId, signal),
    onMessage: (message) => {
      const event = toChatEvent(message);
      if (event) handlers.onEvent(event);
      return TERMINAL.has(message.event);
    },
    onReconnect: (attempt) => handlers.onReconnect?.(attempt),
    failure: errorFrom,
  });
}

function reattach(conversationId: string, lastEventId: string | undefined, signal: AbortSignal) {
  return send('GET', `/api/conversations/${encodeURIComponent(conversationId)}/stream`, {
    headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal,
  });
}

export function sendMessage(conversationId: string, body: SendMessage, handlers: StreamHandlers) {
  return run(
    conversationId,
    (signal) =>
      send('POST', `/api/conversations/${encodeURIComponent(conversationId)}/messages`, {
        body: { ...body, stream: true },
        headers: { accept: 'text/event-stream' },
        signal,
      }),
    handlers,
  );
}

export function regenerate(conversationId: string, messageId: string, handlers: StreamHandlers) {
  return run(
    conversationId,
    (signal) =>
      send('POST', `/api/messages/${encodeURIComponent(messageId)}/regenerate`, {
        headers: { accept: 'text/event-stream' },
        signal,
      }),
    handlers,
  );
}

/** Reattaches to a turn that is running (after a reload or a switch of conversation). */
export function resume(conversationId: string, handlers: StreamHandlers) {
  return run(conversationId, (signal) => reattach(conversationId, undefined, signal), handlers);
}

export async function stop(conversationId: string): Promise<void> {
  const response = await send('POST', `/api/conversations/${encodeURIComponent(conversationId)}/stop`);
  if (!response.ok && response.status !== 404 && response.status !== 409) throw await errorFrom(response);
}

export async function feedback(messageId: string, rating: 'up' | 'down' | null): Promise<void> {
  const response = await send('POST', `/api/messages/${encodeURIComponent(messageId)}/feedback`, { body: { rating } });
  if (!response.ok) throw await errorFrom(response);
}
