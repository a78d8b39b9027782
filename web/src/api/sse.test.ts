import { describe, expect, it, vi } from 'vitest';
import { consumeStream, readSse, SseParser, type SseMessage } from './sse';

function all(parser: SseParser, chunks: string[]): SseMessage[] {
  return chunks.flatMap((chunk) => parser.push(chunk));
}

/** A body that yields `chunks` as bytes and then ends, or fails when `fail` is set. */
function body(chunks: (string | Uint8Array)[], fail?: Error): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) {
        const chunk = chunks[i++]!;
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      } else if (fail) {
        controller.error(fail);
      } else {
        controller.close();
      }
    },
  });
}

const sse = (chunks: (string | Uint8Array)[], fail?: Error) =>
  new Response(body(chunks, fail), { status: 200, headers: { 'content-type': 'text/event-stream' } });

describe('SseParser', () => {
  it('parses events, ids and names', () => {
    const events = all(new SseParser(), ['id: m1:0\nevent: start\ndata: {"a":1}\n\n', 'id: m1:1\nevent: delta\ndata: {"text":"hi"}\n\n']);
    expect(events).toEqual([
      { event: 'start', data: '{"a":1}', id: 'm1:0' },
      { event: 'delta', data: '{"text":"hi"}', id: 'm1:1' },
    ]);
  });

  it('reassembles events split at every possible byte', () => {
    const text = 'id: 7\r\nevent: delta\r\ndata: one\r\ndata: two\r\n\r\n: ping\r\n\r\ndata: three\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new SseParser();
      const events = all(parser, [text.slice(0, cut), text.slice(cut)]);
      expect(events, `cut at ${cut}`).toEqual([
        { event: 'delta', data: 'one\ntwo', id: '7' },
        { event: 'message', data: 'three', id: '7' },
      ]);
      expect(parser.comments).toBe(1);
    }
  });

  it('keeps multi-line data, accepts bare CR, and a missing space after the colon', () => {
    const events = all(new SseParser(), ['data:first\rdata:  second\r\rdata\n\n']);
    expect(events).toEqual([
      { event: 'message', data: 'first\n second', id: undefined },
      { event: 'message', data: '', id: undefined },
    ]);
  });

  it('counts comments and dispatches nothing for them', () => {
    const parser = new SseParser();
    expect(all(parser, [': ping\n\n', ': ping\n\n'])).toEqual([]);
    expect(parser.comments).toBe(2);
  });

  it('reads retry advice and ignores ids with NUL and unknown fields', () => {
    const parser = new SseParser();
    const events = all(parser, ['retry: 1500\nid: a\0b\nfoo: bar\ndata: x\n\n']);
    expect(parser.retry).toBe(1500);
    expect(events).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });
});

describe('readSse', () => {
  it('decodes UTF-8 characters split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: 你好，世界\n\n');
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
    const out: SseMessage[] = [];
    for await (const message of readSse(body(chunks))) out.push(message);
    expect(out).toEqual([{ event: 'message', data: '你好，世界', id: undefined }]);
  });

  it('drops an event the stream did not finish', async () => {
    const out: SseMessage[] = [];
    for await (const message of readSse(body(['data: complete\n\ndata: cut off']))) out.push(message);
    expect(out.map((m) => m.data)).toEqual(['complete']);
  });
});

describe('consumeStream', () => {
  const failure = async (response: Response) => new Error(`HTTP ${response.status}`);

  it('reconnects after a drop with the last event id and continues without duplicates', async () => {
    const opened: (string | undefined)[] = [];
    const open = vi.fn(async (lastEventId: string | undefined) => {
      opened.push(lastEventId);
      if (opened.length === 1) {
        return sse(['id: m:0\nevent: start\ndata: {}\n\n', 'id: m:1\nevent: delta\ndata: {"text":"Hel"}\n\nid: m:2\nevent: del'], new TypeError('network down'));
      }
      return sse(['id: m:2\nevent: delta\ndata: {"text":"lo"}\n\n', 'id: m:3\nevent: done\ndata: {}\n\n']);
    });
    const seen: string[] = [];
    const reconnects: (string | undefined)[] = [];
    const outcome = await consumeStream({
      open,
      signal: new AbortController().signal,
      delay: () => 0,
      failure,
      onReconnect: (_attempt, id) => reconnects.push(id),
      onMessage: (m) => {
        seen.push(`${m.id} ${m.event}`);
        return m.event === 'done';
      },
    });
    expect(outcome).toBe('finished');
    expect(opened).toEqual([undefined, 'm:1']);
    expect(reconnects).toEqual(['m:1']);
    expect(seen).toEqual(['m:0 start', 'm:1 delta', 'm:2 delta', 'm:3 done']);
  });

  it('reconnects when the server closes before the last event, and stops on 204', async () => {
    let calls = 0;
    const outcome = await consumeStream({
      open: async () => (++calls === 1 ? sse(['id: a:0\nevent: delta\ndata: {}\n\n']) : new Response(null, { status: 204 })),
      signal: new AbortController().signal,
      delay: () => 0,
      failure,
      onMessage: () => false,
    });
    expect(calls).toBe(2);
    expect(outcome).toBe('nothing_to_replay');
  });

  it('throws the answer of the first request instead of retrying it', async () => {
    const open = vi.fn(async () => new Response('{"error":{"code":"conflict"}}', { status: 409 }));
    await expect(
      consumeStream({ open, signal: new AbortController().signal, delay: () => 0, failure, onMessage: () => false }),
    ).rejects.toThrow('HTTP 409');
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('gives up after the allowed reconnections in a row', async () => {
    const open = vi.fn(async (_id: string | undefined, _s: AbortSignal, connection: number) => {
      if (connection === 0) return sse(['id: x:0\nevent: delta\ndata: {}\n\n'], new TypeError('drop'));
      throw new TypeError('offline');
    });
    await expect(
      consumeStream({ open, retries: 3, signal: new AbortController().signal, delay: () => 0, failure, onMessage: () => false }),
    ).rejects.toThrow('offline');
    expect(open).toHaveBeenCalledTimes(4);
  });

  it('stops quietly when aborted', async () => {
    const controller = new AbortController();
    const outcome = await consumeStream({
      open: async () => sse(['event: delta\ndata: {}\n\n']),
      signal: controller.signal,
      delay: () => 0,
      failure,
      onMessage: () => {
        controller.abort();
        return false;
      },
    });
    expect(outcome).toBe('aborted');
  });
});
