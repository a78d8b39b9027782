import { useTranslation } from 'react-i18next';
import type { Message } from '../../api';
import { describeFailure } from '../../lib/errors';
import { footerOf } from '../../lib/turn';
import { useChat } from '../../stores/chat';
import { RefreshIcon, ThumbDownIcon, ThumbUpIcon } from '../icons';
import { BranchNav } from './BranchNav';
import { CopyButton } from './CopyButton';

/** Under a finished answer: how it ended, then copy, feedback, regenerate, versions, tokens. */
export function MessageFooter({ message, text, last, busy }: { message: Message; text: string; last: boolean; busy: boolean }) {
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
