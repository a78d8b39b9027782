// A shared conversation, read-only, at /share/:id: for anyone with the link, signed in or not
// (members-only links ask visitors to sign in first). No sidebar, no composer.
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError, isAbort, sharesApi, type SharedConversation, type SharedMessage } from '../api';
import { Preferences } from '../components/Preferences';
import { FileIcon } from '../components/icons';
import { Markdown } from '../components/markdown/Markdown';
import { Citations } from '../components/message/Citations';
import { partsOf } from '../components/message/parts';
import { Reasoning } from '../components/message/Reasoning';
import { StatusTrail } from '../components/message/StatusTrail';
import { ToolCall } from '../components/message/ToolCall';
import { describeError } from '../lib/errors';
import { formatBytes } from '../lib/format';
import { formatDate } from '../lib/time';
import { useAuth } from '../stores/auth';

type State =
  | { kind: 'loading' }
  | { kind: 'shown'; conversation: SharedConversation }
  | { kind: 'not_found' }
  | { kind: 'sign_in' }
  | { kind: 'error'; message: string };

export default function SharePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const status = useAuth((s) => s.status);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // Once the session is known: a signed-in reader sends their token (members-only links).
  useEffect(() => {
    if (status === 'loading') return;
    const controller = new AbortController();
    sharesApi.openShare(id, { auth: status === 'signed_in', signal: controller.signal }).then(
      (conversation) => setState({ kind: 'shown', conversation }),
      (e: unknown) => {
        if (isAbort(e) || controller.signal.aborted) return;
        if (e instanceof ApiError && e.status === 404) setState({ kind: 'not_found' });
        else if (e instanceof ApiError && e.status === 401) setState({ kind: 'sign_in' });
        else setState({ kind: 'error', message: describeError(t, e) });
      },
    );
    return () => controller.abort();
  }, [id, status, attempt, t]);

  const shownTitle = state.kind === 'shown' ? state.conversation.title || t('sidebar.untitled') : null;
  useEffect(() => {
    const heading =
      shownTitle ?? (state.kind === 'not_found' ? t('share.notFoundTitle') : state.kind === 'sign_in' ? t('share.signInTitle') : null);
    if (heading) document.title = `${heading} · ${t('app.name')}`;
  }, [shownTitle, state.kind, t]);

  if (state.kind === 'loading') {
    return (
      <div className="splash" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" />
        <span>{t('app.loading')}</span>
      </div>
    );
  }
  if (state.kind !== 'shown') {
    const next = `/share/${id}`;
    return (
      <main className="auth-page" id="main" data-testid={`share-${state.kind.replace('_', '-')}`}>
        <div className="auth-card share-notice">
          {state.kind === 'not_found' && (
            <>
              <p className="status-code" aria-hidden="true">
                404
              </p>
              <h1>{t('share.notFoundTitle')}</h1>
              <p>{t('share.notFoundBody')}</p>
              <Link className="button primary" to="/" data-testid="share-open-app">
                {t('share.openApp')}
              </Link>
            </>
          )}
          {state.kind === 'sign_in' && (
            <>
              <h1>{t('share.signInTitle')}</h1>
              <p>{t('share.signInBody')}</p>
              <Link className="button primary" to={`/login?next=${encodeURIComponent(next)}`} data-testid="share-sign-in-link">
                {t('share.signIn')}
              </Link>
            </>
          )}
          {state.kind === 'error' && (
            <>
              <h1>{t('share.loadFailed')}</h1>
              <p role="alert">{state.message}</p>
              <button type="button" className="button primary" onClick={() => setAttempt((n) => n + 1)}>
                {t('common.retry')}
              </button>
            </>
          )}
        </div>
        <Preferences compact />
      </main>
    );
  }
  return <SharedView conversation={state.conversation} title={shownTitle ?? ''} />;
}

function SharedView({ conversation, title }: { conversation: SharedConversation; title: string }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="share-page" data-testid="share-page">
      <header className="share-header">
        <Link to="/" className="share-brand">
          {t('app.name')}
        </Link>
        <Link to="/" className="button small" data-testid="share-open-app">
          {t('share.openApp')}
        </Link>
      </header>
      <main className="share-main" id="main">
        <div className="share-intro">
          <h1 data-testid="share-title">{title}</h1>
          <p className="share-meta">
            <span className="chip" data-testid="share-agent">
              {conversation.agent_name}
            </span>
            {conversation.members_only && <span className="chip">{t('share.members')}</span>}
          </p>
          <p className="hint" data-testid="share-by">
            {t('share.sharedBy', { name: conversation.shared_by, date: formatDate(conversation.shared_at, i18n.language) })}
            {conversation.expires_at && <> · {t('share.linkExpires', { date: formatDate(conversation.expires_at, i18n.language) })}</>}
          </p>
        </div>
        <div className="share-messages" role="log" aria-label={title}>
          {conversation.messages.map((message, i) =>
            message.role === 'user' ? (
              <SharedQuestion key={i} message={message} />
            ) : (
              <SharedAnswer key={i} message={message} agentName={conversation.agent_name} />
            ),
          )}
        </div>
        <p className="hint share-footnote">{t('share.snapshot')}</p>
      </main>
      <footer className="share-footer">
        <Preferences compact />
      </footer>
    </div>
  );
}

const textOf = (message: SharedMessage) =>
  partsOf(message, 'text')
    .map((p) => p.text)
    .join('');

/** A question: its attachments (by name only: a visitor cannot open the files) and its text. */
function SharedQuestion({ message }: { message: SharedMessage }) {
  const { t, i18n } = useTranslation();
  const attachments = partsOf(message, 'attachment');
  const text = textOf(message);
  return (
    <article className="message user" data-testid="shared-user" aria-label={t('chat.you')}>
      {attachments.length > 0 && (
        <ul className="attachments" aria-label={t('chat.attachment')}>
          {attachments.map((part, i) => (
            <li key={i}>
              <span className="file-chip" title={`${part.mime} · ${formatBytes(part.size, i18n.language)}`} data-testid="shared-attachment">
                <FileIcon />
                <span>{part.name}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {text && <div className="bubble">{text}</div>}
    </article>
  );
}

/** An answer, as the chat shows it, without the actions (feedback, regenerate, versions). */
function SharedAnswer({ message, agentName }: { message: SharedMessage; agentName: string }) {
  const { t } = useTranslation();
  const text = textOf(message);
  const reasoning = partsOf(message, 'reasoning')
    .map((p) => p.text)
    .join('');
  const statuses = partsOf(message, 'status');
  const citations = partsOf(message, 'citation').flatMap((p) => p.items);
  return (
    <article className="message assistant" data-testid="shared-assistant" data-status={message.status} aria-label={agentName}>
      <span className="avatar agent medium" aria-hidden="true" data-avatar="initial">
        {agentName.slice(0, 1).toUpperCase()}
      </span>
      <div className="message-body">
        {statuses.length > 0 && <StatusTrail parts={statuses} />}
        {reasoning && <Reasoning text={reasoning} streaming={false} />}
        {partsOf(message, 'tool').map((tool) => (
          <ToolCall key={tool.id} part={tool} />
        ))}
        {text && <Markdown text={text} />}
        {citations.length > 0 && <Citations items={citations} />}
        {message.status === 'stopped' && <p className="message-note">{t('chat.stopped')}</p>}
        {message.status === 'interrupted' && <p className="message-note warn">{t('chat.interrupted')}</p>}
        {message.status === 'failed' && <p className="message-note error">{t('share.failed')}</p>}
      </div>
    </article>
  );
}
