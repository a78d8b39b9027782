import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../api';
import { answerText, applyEvent, emptyAssistant, footerOf } from './turn';

const run = (events: ChatEvent[]) => events.reduce(applyEvent, emptyAssistant('local', 'u1'));

describe('applyEvent', () => {
  it('builds the answer from deltas and takes the server ids', () => {
    const message = run([
      { type: 'start', data: { conversation_id: 'c', user_message_id: 'u1', message_id: 'a1', agent_id: 'demo' } },
      { type: 'reasoning', data: { text: 'Let me ' } },
      { type: 'reasoning', data: { text: 'think.' } },
      { type: 'delta', data: { text: 'Hello' } },
      { type: 'delta', data: { text: ', world' } },
      { type: 'done', data: { message_id: 'a1', status: 'complete', usage: { prompt_tokens: 3, completion_tokens: 2, estimated: false } } },
    ]);
    expect(message.id).toBe('a1');
    expect(message.status).toBe('complete');
    expect(message.content).toEqual([
      { type: 'reasoning', text: 'Let me think.' },
      { type: 'text', text: 'Hello, world' },
    ]);
    expect(message.usage?.completion_tokens).toBe(2);
  });

  it('starts over when a reattached stream replays from the start', () => {
    const first = run([{ type: 'delta', data: { text: 'partial' } }]);
    const replayed = applyEvent(first, {
      type: 'start',
      data: { conversation_id: 'c', user_message_id: 'u1', message_id: 'a1', agent_id: 'demo' },
    });
    expect(answerText(applyEvent(replayed, { type: 'delta', data: { text: 'whole' } }))).toBe('whole');
  });

  it('replaces the answer, updates status nodes in place and accumulates tool arguments', () => {
    const message = run([
      { type: 'delta', data: { text: 'draft' } },
      { type: 'status', data: { node: 'search', state: 'running' } },
      { type: 'tool', data: { id: 't', name: 'calc', arguments_delta: '{"a":' } },
      { type: 'tool', data: { id: 't', name: 'calc', arguments_delta: '1}' } },
      { type: 'tool', data: { id: 't', name: 'calc', result: '2' } },
      { type: 'status', data: { node: 'search', state: 'done', detail: '3 hits' } },
      { type: 'replace', data: { text: 'final' } },
    ]);
    expect(answerText(message)).toBe('final');
    expect(message.content.filter((p) => p.type === 'status')).toEqual([
      { type: 'status', node: 'search', state: 'done', detail: '3 hits' },
    ]);
    expect(message.content.find((p) => p.type === 'tool')).toEqual({
      type: 'tool', id: 't', name: 'calc', arguments: '{"a":1}', result: '2',
    });
  });

  it('marks the message failed on an error event', () => {
    const message = run([{ type: 'error', data: { code: 'upstream_error', message: 'boom' } }]);
    expect(message.status).toBe('failed');
    expect(message.error).toEqual({ code: 'upstream_error', message: 'boom' });
  });
});

describe('footerOf', () => {
  const base = emptyAssistant('a1', 'u1');
  it('offers feedback and labelled token counts on a finished answer', () => {
    const message = { ...base, status: 'complete' as const, usage: { prompt_tokens: 8, completion_tokens: 120, total_tokens: 128 } };
    expect(footerOf(message)).toEqual({ feedback: true, usage: { prompt: 8, completion: 120 } });
  });
  it('offers neither feedback nor a token line on a failed answer', () => {
    const message = { ...base, status: 'failed' as const, usage: { prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 } };
    expect(footerOf(message)).toEqual({ feedback: false, usage: null });
  });
});
