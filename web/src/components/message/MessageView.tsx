import { memo } from 'react';
import type { Agent, Message } from '../../api';
import { AssistantMessage } from './AssistantMessage';
import { UserMessage } from './UserMessage';

/**
 * One message of the conversation. Memoised: a streamed frame changes one message object, so
 * only that message's view renders again.
 */
export const MessageView = memo(function MessageView({ message, agents, last, busy }: {
  message: Message;
  agents: Agent[];
  last: boolean;
  /** A turn is streaming: actions that start one wait. */
  busy: boolean;
}) {
  if (message.role === 'user') return <UserMessage message={message} busy={busy} />;
  const agent = agents.find((a) => a.id === message.agent_id);
  return <AssistantMessage message={message} agent={agent} last={last} busy={busy} />;
});
