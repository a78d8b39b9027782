import { useTranslation } from 'react-i18next';
import type { Agent, Message } from '../../api';
import { answerText } from '../../lib/turn';
import { AgentAvatar } from '../AgentAvatar';
// Part of the chat page's chunk (loaded after sign-in); KaTeX and the highlighter load on demand.
import { Markdown } from '../markdown/Markdown';
import { Citations } from './Citations';
import { Interactive } from './Interactive';
import { MessageFooter } from './MessageFooter';
import { partsOf } from './parts';
import { Reasoning } from './Reasoning';
import { StatusTrail } from './StatusTrail';
import { ToolCall } from './ToolCall';

/** An answer, part by part in the order a reader follows them, then its footer. */
export function AssistantMessage({ message, agent, last, busy }: { message: Message; agent: Agent | undefined; last: boolean; busy: boolean }) {
  const { t } = useTranslation();
  const streaming = message.status === 'streaming';
  const text = answerText(message);
  const reasoning = partsOf(message, 'reasoning').map((p) => p.text).join('');
  const statuses = partsOf(message, 'status');
  const citations = partsOf(message, 'citation').flatMap((p) => p.items);
  const tools = partsOf(message, 'tool');
  const interactive = partsOf(message, 'interactive');
  const waiting = streaming && !text && !reasoning;

  return (
    <article
      className={`message assistant${streaming ? ' streaming' : ''}`}
      data-testid="message-assistant"
      data-status={message.status}
      data-id={message.id}
      aria-label={agent?.name ?? t('agents.choose')}
    >
      <AgentAvatar agent={agent} />
      <div className="message-body">
        {statuses.length > 0 && <StatusTrail parts={statuses} />}
        {reasoning && <Reasoning text={reasoning} streaming={streaming && !text} />}
        {tools.map((tool) => (
          <ToolCall key={tool.id} part={tool} />
        ))}
        {waiting && (
          <div className="typing" role="status" aria-label={t('chat.thinking')}>
            <span />
            <span />
            <span />
          </div>
        )}
        {text && <Markdown text={text} />}
        {streaming && text && <span className="caret" aria-hidden="true" />}
        {interactive.map((part, i) => (
          <Interactive key={i} part={part} active={last && !busy} />
        ))}
        {citations.length > 0 && <Citations items={citations} />}
        <MessageFooter message={message} text={text} last={last} busy={busy} />
      </div>
    </article>
  );
}
