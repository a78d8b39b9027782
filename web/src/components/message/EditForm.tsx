import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useChat } from '../../stores/chat';

/** A question edited in place: Enter sends it as a new branch, Escape cancels. */
export function EditForm({ initial, messageId, onDone }: { initial: string; messageId: string; onDone: () => void }) {
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
