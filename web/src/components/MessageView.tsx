import { memo, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Agent, Message, Part } from '../api';
import { describeFailure } from '../lib/errors';
import { answerText, footerOf } from '../lib/turn';
import { copyText } from '../lib/clipboard';
import { AgentAvatar } from './AgentAvatar';
import { useChat } from '../stores/chat';
import { AttachmentView } from './Attachments';
// Part of the chat page's chunk (loaded after sign-in); KaTeX and the highlighter load on demand.
import { Markdown } from './markdown/Markdown';
import {
  CheckIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  CopyIcon,
  EditIcon,
  LinkIcon,
  RefreshIcon,
  ThumbDownIcon,
  ThumbUpIcon,
} from './icons';


type PartOf<T extends Part['type']> = Extract<Part, { type: T }>;

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

function UserMessage({ message, busy }: { message: Message; busy: boolean }) {
  const { t } = useTranslation();
  const editing = useChat((s) => s.editing === message.id);
  const setEditing = (on: boolean) => useChat.getState().setEditing(on ? message.id : null);
  const attachments = message.content.filter((p): p is PartOf<'attachment'> => p.type === 'attachment');
  const text = answerText(message);
  const local = message.id.startsWith('local-');
  return (
    <article className="message user" data-testid="message-user" data-id={message.id} aria-label={t('chat.you')}>
      {attachments.length > 0 && <Attachments parts={attachments} />}
      {editing ? (
        <EditForm initial={text} onDone={() => setEditing(false)} messageId={message.id} />
      ) : (
        <>
          <div className="bubble">{text}</div>
          {!local && (
            <div className="message-actions">
              <CopyButton text={text} />
              <button
                type="button"
                className="icon-button small"
                aria-label={t('chat.edit')}
                title={t('chat.edit')}
                disabled={busy}
                onClick={() => setEditing(true)}
                data-testid="edit-message"
              >
                <EditIcon />
              </button>
              <BranchNav message={message} busy={busy} />
            </div>
          )}
        </>
      )}
    </article>
  );
}

function EditForm({ initial, messageId, onDone }: { initial: string; messageId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(initial);
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  useEffect(() => {
    area.current?.focus();
    area.current?.setSelectionRange(initial.length, initial.length);
  }, [initial]);
  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = value.trim();
    if (!text) return;
    onDone();
    await useChat.getState().edit(messageId, text);
  }
  return (
    <form className="edit-form" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        {t('chat.editLabel')}
      </label>
      <textarea
        id={id}
        ref={area}
        value={value}
        rows={Math.min(10, Math.max(2, value.split('\n').length))}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void submit();
          }
        }}
        data-testid="edit-input"
      />
      <div className="edit-actions">
        <button type="button" className="button small" onClick={onDone}>
          {t('chat.cancelEdit')}
        </button>
        <button type="submit" className="button small primary" disabled={!value.trim()} data-testid="edit-send">
          {t('chat.sendEdit')}
        </button>
      </div>
    </form>
  );
}

/** ‹ 2/3 ›: the other answers (or edited questions) at this point of the conversation. */
function BranchNav({ message, busy }: { message: Message; busy: boolean }) {
  const { t } = useTranslation();
  const siblings = message.sibling_ids;
  const index = siblings.indexOf(message.id);
  if (siblings.length < 2 || index === -1) return null;
  const go = (i: number) => {
    const target = siblings[i];
    if (target) void useChat.getState().switchBranch(target);
  };
  return (
    <span className="branch-nav" role="group" aria-label={t('chat.version', { n: index + 1, total: siblings.length })} data-testid="branch-nav">
      <button type="button" className="icon-button small" disabled={busy || index === 0} onClick={() => go(index - 1)} aria-label={t('chat.previousVersion')} data-testid="branch-prev">
        <ChevronLeftIcon />
      </button>
      <span className="branch-count" aria-hidden="true" data-testid="branch-count">
        {index + 1}/{siblings.length}
      </span>
      <button type="button" className="icon-button small" disabled={busy || index === siblings.length - 1} onClick={() => go(index + 1)} aria-label={t('chat.nextVersion')} data-testid="branch-next">
        <ChevronRightIcon />
      </button>
    </span>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="icon-button small"
      aria-label={copied ? t('common.copied') : t('common.copy')}
      title={copied ? t('common.copied') : t('common.copy')}
      onClick={async () => setCopied(await copyText(text))}
      data-testid="copy-message"
    >
      {copied ? <CheckIcon /> : <CopyIcon />}
    </button>
  );
}

function AssistantMessage({ message, agent, last, busy }: { message: Message; agent: Agent | undefined; last: boolean; busy: boolean }) {
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
        {text && <Markdown text={text} />}
        {streaming && text && <span className="caret" aria-hidden="true" />}
        {interactive.map((part, i) => (
          <InteractiveView key={i} part={part} active={last && !busy} />
        ))}
        {citations.length > 0 && <Citations items={citations} />}
        <MessageFooter message={message} text={text} last={last} busy={busy} />
      </div>
    </article>
  );
}

function MessageFooter({ message, text, last, busy }: { message: Message; text: string; last: boolean; busy: boolean }) {
  const { t } = useTranslation();
  if (message.status === 'streaming' || message.id.startsWith('local-')) return null;
  const rate = (rating: 'up' | 'down') => void useChat.getState().rate(message.id, message.feedback === rating ? null : rating);
  const footer = footerOf(message);
  return (
    <>
      {message.status === 'stopped' && <p className="message-note">{t('chat.stopped')}</p>}
      {message.status === 'interrupted' && <p className="message-note warn">{t('chat.interrupted')}</p>}
      {message.status === 'failed' && (
        <p className="message-note error" role={last ? 'alert' : undefined}>
          {describeFailure(t, message.error)}
        </p>
      )}
      <div className="message-actions always">
        {text && <CopyButton text={text} />}
        {footer.feedback && (
          <>
            <button
              type="button"
              className="icon-button small"
              aria-label={t('chat.goodResponse')}
              title={t('chat.goodResponse')}
              aria-pressed={message.feedback === 'up'}
              onClick={() => rate('up')}
              data-testid="feedback-up"
            >
              <ThumbUpIcon />
            </button>
            <button
              type="button"
              className="icon-button small"
              aria-label={t('chat.badResponse')}
              title={t('chat.badResponse')}
              aria-pressed={message.feedback === 'down'}
              onClick={() => rate('down')}
              data-testid="feedback-down"
            >
              <ThumbDownIcon />
            </button>
          </>
        )}
        {last && (
          <button
            type="button"
            className="icon-button small"
            aria-label={t('chat.regenerate')}
            title={t('chat.regenerate')}
            disabled={busy}
            onClick={() => void useChat.getState().regenerate(message.id)}
            data-testid="regenerate"
          >
            <RefreshIcon />
          </button>
        )}
        <BranchNav message={message} busy={busy} />
        {footer.usage && (
          <span className="usage" title={t('chat.usageTitle', footer.usage)} data-testid="message-usage">
            {t('chat.usage', footer.usage)}
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

/** An upstream question: options to pick or a form to fill; the answer continues the turn. */
function InteractiveView({ part, active }: { part: PartOf<'interactive'>; active: boolean }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<string, string>>({});
  const id = useId();
  const answered = part.answer !== undefined && part.answer !== null;
  const send = (text: string, answer: unknown) => void useChat.getState().send(text, { interactive_answer: answer });
  return (
    <div className="interactive" data-testid="interactive">
      {part.prompt && <p>{part.prompt}</p>}
      {answered ? (
        <p className="message-note">{t('chat.answered')}</p>
      ) : part.kind === 'select' ? (
        <div className="interactive-options" role="group" aria-label={t('chat.chooseOption')}>
          {(part.options ?? []).map((option) => (
            <button key={option.value} type="button" className="button small" disabled={!active} onClick={() => send(option.label, option.value)} data-testid="interactive-option">
              {option.label}
            </button>
          ))}
        </div>
      ) : (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            const summary = (part.fields ?? []).map((f) => `${f.label || f.name}: ${values[f.name] ?? ''}`).join('\n');
            send(summary, values);
          }}
        >
          {(part.fields ?? []).map((field) => (
            <div className="field" key={field.name}>
              <label htmlFor={`${id}-${field.name}`}>
                {field.label || field.name}
                {field.required && <span className="required"> ({t('chat.required')})</span>}
              </label>
              {field.options.length > 0 ? (
                <select id={`${id}-${field.name}`} required={field.required} value={values[field.name] ?? ''} onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}>
                  <option value="" />
                  {field.options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={`${id}-${field.name}`} required={field.required} value={values[field.name] ?? ''} onChange={(e) => setValues({ ...values, [field.name]: e.target.value })} />
              )}
            </div>
          ))}
          <button type="submit" className="button small primary" disabled={!active}>
            {t('chat.formSubmit')}
          </button>
        </form>
      )}
    </div>
  );
}

function Attachments({ parts }: { parts: PartOf<'attachment'>[] }) {
  const { t } = useTranslation();
  return (
    <ul className="attachments" aria-label={t('chat.attachment')}>
      {parts.map((part) => (
        <li key={part.upload_id}>
          <AttachmentView id={part.upload_id} name={part.name} mime={part.mime} />
        </li>
      ))}
    </ul>
  );
}
