// How a turn's events change the assistant message being written. Pure, so the stream's
// effect can be tested and replayed (a reattached stream starts again from `start`).
import type { ChatEvent, Message, Part } from '../api';

export function emptyAssistant(id: string, parentId: string | null, agentId?: string): Message {
  return {
    id,
    parent_id: parentId,
    role: 'assistant',
    content: [],
    status: 'streaming',
    agent_id: agentId ?? null,
    sibling_ids: [id],
    created_at: new Date().toISOString(),
  };
}

/** Appends to the last part when it is of the same kind, else adds a part. */
function appendText(content: Part[], type: 'text' | 'reasoning', text: string): Part[] {
  const last = content[content.length - 1];
  if (last && last.type === type) {
    return [...content.slice(0, -1), { type, text: last.text + text }];
  }
  return [...content, { type, text }];
}

export function applyEvent(message: Message, event: ChatEvent): Message {
  switch (event.type) {
    case 'start':
      // A replay starts over from the beginning of the turn.
      return { ...message, id: event.data.message_id, content: [], status: 'streaming', error: null, agent_id: event.data.agent_id };
    case 'delta':
      return { ...message, content: appendText(message.content, 'text', event.data.text) };
    case 'reasoning':
      return { ...message, content: appendText(message.content, 'reasoning', event.data.text) };
    case 'replace':
      return {
        ...message,
        content: [...message.content.filter((p) => p.type !== 'text'), { type: 'text', text: event.data.text }],
      };
    case 'status': {
      const { node, state, detail } = event.data;
      const index = message.content.findIndex((p) => p.type === 'status' && p.node === node);
      const part: Part = { type: 'status', node, state, detail: detail ?? null };
      if (index === -1) return { ...message, content: [...message.content, part] };
      const content = [...message.content];
      content[index] = part;
      return { ...message, content };
    }
    case 'citation':
      return { ...message, content: [...message.content, { type: 'citation', items: event.data.items }] };
    case 'interactive':
      return { ...message, content: [...message.content, { type: 'interactive', ...event.data }] };
    case 'tool': {
      const { id, name, arguments_delta, result } = event.data;
      const index = message.content.findIndex((p) => p.type === 'tool' && p.id === id);
      const content = [...message.content];
      const previous = index === -1 ? undefined : content[index];
      const args = (previous?.type === 'tool' ? previous.arguments : '') + (arguments_delta ?? '');
      const part: Part = {
        type: 'tool',
        id,
        name,
        arguments: args,
        result: result ?? (previous?.type === 'tool' ? previous.result : null),
      };
      if (index === -1) content.push(part);
      else content[index] = part;
      return { ...message, content };
    }
    case 'usage':
      return { ...message, usage: event.data };
    case 'done':
      return { ...message, id: event.data.message_id, status: event.data.status, usage: event.data.usage ?? message.usage ?? null };
    case 'error':
      return { ...message, status: 'failed', error: { code: event.data.code, message: event.data.message } };
    default:
      return message;
  }
}

/** The visible answer: every text part joined. */
export function answerText(message: Message): string {
  return message.content
    .filter((p): p is Extract<Part, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('');
}

/**
 * What a finished answer's footer offers: feedback only on an answer that exists (not a failed
 * one), and the token counts only when the answer produced something to count.
 */
export function footerOf(message: Message): { feedback: boolean; usage: { prompt: number; completion: number } | null } {
  const failed = message.status === 'failed';
  const usage = !failed && message.usage ? { prompt: message.usage.prompt_tokens, completion: message.usage.completion_tokens } : null;
  return { feedback: !failed, usage };
}
