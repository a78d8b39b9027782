import { useTranslation } from 'react-i18next';
import type { Message } from '../../api';
import { answerText } from '../../lib/turn';
import { useChat } from '../../stores/chat';
import { EditIcon } from '../icons';
import { Attachments } from './Attachments';
import { BranchNav } from './BranchNav';
import { CopyButton } from './CopyButton';
import { EditForm } from './EditForm';
import { partsOf } from './parts';

/** A question: its attachments and text, or the form that edits it into a new branch. */
export function UserMessage({ message, busy }: { message: Message; busy: boolean }) {
  const { t } = useTranslation();
  const editing = useChat((s) => s.editing === message.id);
  const setEditing = (on: boolean) => useChat.getState().setEditing(on ? message.id : null);
  const attachments = partsOf(message, 'attachment');
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
