import { lazy, memo, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Agent, Message, Part } from '../api';
import { answerText } from '../lib/turn';
import { copyText } from '../lib/clipboard';
import { AgentAvatar } from './AgentAvatar';
import { CheckIcon, ChevronRightIcon, CopyIcon, FileIcon, LinkIcon } from './icons';

const Markdown = lazy(() => import('./markdown/Markdown'));

type PartOf<T extends Part['type']> = Extract<Part, { type: T }>;

export const MessageView = memo(function MessageView({ message, agents, last }: { message: Message; agents: Agent[]; last: boolean }) {
  const { t } = useTranslation();
  if (message.role === 'user') {
    const attachments = message.content.filter((p): p is PartOf<'attachment'> => p.type === 'attachment');
    return (
      <article className="message user" data-testid="message-user" data-id={message.id} aria-label={t('chat.you')}>
        {attachments.length > 0 && <Attachments parts={attachments} />}
        <div className="bubble">{answerText(message)}</div>
      </article>
    );
  }
  const agent = agents.find((a) => a.id === message.agent_id);
  return <AssistantMessage message={message} agent={agent} last={last} />;
});

function AssistantMessage({ message, agent, last }: { message: Message; agent: Agent | undefined; last: boolean }) {
  const { t } = useTranslation();
  const streaming = message.status === 'streaming';
  const text = answerText(message);
  const reasoning = message.content.filter((p): p is PartOf<'reasoning'> => p.type === 'reasoning').map((p) => p.text).join('');
  const statuses = message.content.filter((p): p is PartOf<'status'> => p.type === 'status');
  const citations = message.content.filter((p): p is PartOf<'citation'> => p.type === 'citation').flatMap((p) => p.items);
  const tools = message.content.filter((p): p is PartOf<'tool'> => p.type === 'tool');
  const interactive = message.content.filter((p): p is PartOf<'interactive'> => p.type === 'interactive');
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
          <details key={tool.id} className="tool-call">
            <summary>{t('chat.tool', { name: tool.name })}</summary>
            <pre>{tool.arguments}</pre>
            {tool.result && <pre>{tool.result}</pre>}
          </details>
        ))}
        {waiting && (
          <div className="typing" role="status" aria-label={t('chat.thinking')}>
            <span />
            <span />
            <span />
          </div>
        )}
        {text && (
          <Suspense fallback={<div className="markdown plain">{text}</div>}>
            <Markdown text={text} />
          </Suspense>
        )}
        {streaming && text && <span className="caret" aria-hidden="true" />}
        {interactive.map((part, i) => (
          <InteractiveView key={i} part={part} />
        ))}
        {citations.length > 0 && <Citations items={citations} />}
        <MessageFooter message={message} text={text} last={last} />
      </div>
    </article>
  );
}

function MessageFooter({ message, text, last }: { message: Message; text: string; last: boolean }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  if (message.status === 'streaming') return null;
  return (
    <>
      {message.status === 'stopped' && <p className="message-note">{t('chat.stopped')}</p>}
      {message.status === 'interrupted' && <p className="message-note warn">{t('chat.interrupted')}</p>}
      {message.status === 'failed' && (
        <p className="message-note error" role={last ? 'alert' : undefined}>
          {t('chat.failed', { message: message.error?.message ?? '' })}
        </p>
      )}
      <div className="message-actions">
        {text && (
          <button
            type="button"
            className="icon-button small"
            aria-label={copied ? t('common.copied') : t('common.copy')}
            title={copied ? t('common.copied') : t('common.copy')}
            onClick={async () => {
              setCopied(await copyText(text));
              setTimeout(() => setCopied(false), 1500);
            }}
            data-testid="copy-message"
          >
            {copied ? <CheckIcon /> : <CopyIcon />}
          </button>
        )}
        {message.usage && (
          <span className="usage">
            {t('chat.usage', { prompt: message.usage.prompt_tokens, completion: message.usage.completion_tokens })}
          </span>
        )}
      </div>
    </>
  );
}

function Reasoning({ text, streaming }: { text: string; streaming: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const shown = open || streaming;
  return (
    <div className="reasoning">
      <button type="button" className="reasoning-toggle" aria-expanded={shown} onClick={() => setOpen(!shown)} data-testid="reasoning-toggle">
        <ChevronRightIcon className={shown ? 'rotated' : undefined} />
        <span>{streaming ? t('chat.thinking') : t('chat.reasoning')}</span>
      </button>
      {shown && <div className="reasoning-text">{text}</div>}
    </div>
  );
}

function StatusTrail({ parts }: { parts: PartOf<'status'>[] }) {
  const { t } = useTranslation();
  return (
    <ol className="status-trail" aria-label={t('chat.steps')}>
      {parts.map((part) => (
        <li key={part.node} className={`status-${part.state}`}>
          <span className="status-dot" aria-hidden="true" />
          <span>{part.node}</span>
          {part.detail && <span className="status-detail">{part.detail}</span>}
        </li>
      ))}
    </ol>
  );
}

function Citations({ items }: { items: PartOf<'citation'>['items'] }) {
  const { t } = useTranslation();
  return (
    <details className="citations">
      <summary>
        {t('chat.sources')} · {items.length}
      </summary>
      <ol>
        {items.map((item, i) => (
          <li key={i}>
            <span className="citation-title">
              {item.url && /^https?:\/\//.test(item.url) ? (
                <a href={item.url} target="_blank" rel="noopener noreferrer nofollow">
                  <LinkIcon /> {item.title || t('chat.source', { n: i + 1 })}
                </a>
              ) : (
                item.title || t('chat.source', { n: i + 1 })
              )}
            </span>
            {item.snippet && <span className="citation-snippet">{item.snippet}</span>}
          </li>
        ))}
      </ol>
    </details>
  );
}

function InteractiveView({ part }: { part: PartOf<'interactive'> }) {
  const { t } = useTranslation();
  return (
    <div className="interactive" data-testid="interactive">
      {part.prompt && <p>{part.prompt}</p>}
      {part.answer !== undefined && part.answer !== null ? (
        <p className="message-note">{t('chat.answered')}</p>
      ) : (
        part.kind === 'select' && (
          <div className="interactive-options" role="group" aria-label={t('chat.chooseOption')}>
            {(part.options ?? []).map((option) => (
              <span key={option.value} className="chip">
                {option.label}
              </span>
            ))}
          </div>
        )
      )}
    </div>
  );
}

function Attachments({ parts }: { parts: PartOf<'attachment'>[] }) {
  const { t } = useTranslation();
  return (
    <ul className="attachments" aria-label={t('chat.attachment')}>
      {parts.map((part) => (
        <li key={part.upload_id} className="file-chip">
          <FileIcon />
          <span>{part.name}</span>
        </li>
      ))}
    </ul>
  );
}
