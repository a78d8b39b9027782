// Server-sent events over fetch: EventSource can neither POST nor send headers. The parser
// follows the WHATWG event-stream rules (CRLF/LF/CR line ends, multi-line data, id, retry,
// comments); `consumeStream` reconnects with Last-Event-ID until the stream says it is over.

export interface SseMessage {
  /** `message` when the event had no `event:` field. */
  event: string;
  data: string;
  /** The last `id:` seen so far (it carries over to later events, as in EventSource). */
  id: string | undefined;
}

/** Incremental parser: feed it text as it arrives, in chunks of any size. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private sawCr = false;
  lastEventId: string | undefined;
  /** Server's `retry:` advice, in milliseconds. */
  retry: number | undefined;
  /** Comment lines (`: ping`) seen, so callers can tell the connection is alive. */
  comments = 0;

  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = [];
    let text = chunk;
    // A CR at the end of the previous chunk and an LF at the start of this one are one line end.
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (c === '\r') {
        if (i + 1 === this.buffer.length) this.sawCr = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
      const message = this.line(line);
      if (message) out.push(message);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.comments++;
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const event = this.event || 'message';
    const data = this.data;
    this.event = '';
    this.data = [];
    if (data.length === 0) return undefined;
    return { event, data: data.join('\n'), id: this.lastEventId };
  }
}

/** Reads a response body as server-sent events. */
export async function* readSse(body: ReadableStream<Uint8Array>, parser = new SseParser()): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    // An event not closed by a blank line when the stream ends is dropped, as the spec says.
    yield* parser.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}

export interface ConsumeOptions {
  /**
   * Opens the stream: connection 0 is the first request; later ones reconnect, with the last
   * event id seen if any. Return the response (a 204 means there is nothing more to read).
   */
  open: (lastEventId: string | undefined, signal: AbortSignal, connection: number) => Promise<Response>;
  /** Handles one event; returns true when it was the last one (`done`, `error`). */
  onMessage: (message: SseMessage) => boolean | void;
  signal: AbortSignal;
  /** Reconnections allowed in a row without receiving an event (default 5). */
  retries?: number;
  /** Wait before reconnection number `attempt` (1-based), in ms. */
  delay?: (attempt: number) => number;
  /** Called before each reconnection. */
  onReconnect?: (attempt: number, lastEventId: string | undefined) => void;
  /** Turns a non-2xx response into an error to throw. */
  failure: (response: Response) => Promise<Error>;
}

export type StreamOutcome = 'finished' | 'nothing_to_replay' | 'aborted';

const defaultDelay = (attempt: number) => Math.min(8000, 500 * 2 ** (attempt - 1));

/**
 * Reads a stream to its last event, reconnecting with the last event id when the connection
 * drops (or closes before the last event). Errors of the first request are thrown as they are.
 */
export async function consumeStream(options: ConsumeOptions): Promise<StreamOutcome> {
  const { signal } = options;
  const retries = options.retries ?? 5;
  const delay = options.delay ?? defaultDelay;
  let lastEventId: string | undefined;
  let failures = 0;
  for (let connection = 0; ; connection++) {
    let gotEvent = false;
    let lastError: unknown;
    try {
      const response = await options.open(lastEventId, signal, connection);
      if (response.status === 204) return 'nothing_to_replay';
      if (!response.ok || !response.body) {
        const error = await options.failure(response);
        // Answers before the stream starts (409, 429, 4xx) are final, not drops.
        if (connection === 0 || response.status < 500) throw Object.assign(error, { fatal: true });
        throw error;
      }
      const parser = new SseParser();
      for await (const message of readSse(response.body, parser)) {
        gotEvent = true;
        lastEventId = message.id ?? lastEventId;
        if (options.onMessage(message)) return 'finished';
      }
      lastEventId = parser.lastEventId ?? lastEventId;
    } catch (error) {
      if (signal.aborted) return 'aborted';
      if ((error as { fatal?: boolean }).fatal) throw error;
      lastError = error;
    }
    if (signal.aborted) return 'aborted';
    // Dropped, or closed before the last event: reconnect where we left off.
    failures = gotEvent ? 1 : failures + 1;
    if (failures > retries) throw lastError ?? new Error('the stream ended before its last event');
    options.onReconnect?.(failures, lastEventId);
    await sleep(delay(failures), signal);
    if (signal.aborted) return 'aborted';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
