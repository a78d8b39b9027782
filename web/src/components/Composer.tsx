import { forwardRef, useEffect, useId, useImperativeHandle, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { loadDraft, saveDraft } from '../stores/drafts';
import { SendIcon, StopIcon } from './icons';

export interface ComposerHandle {
  focus: () => void;
  setText: (text: string) => void;
}

/** The message box: Enter sends, Shift+Enter is a new line; Stop while an answer streams. */
export const Composer = forwardRef<ComposerHandle, {
  draftKey: string;
  placeholder: string;
  streaming: boolean;
  disabled?: boolean;
  /** Resolves false when the message was not taken (the text comes back). */
  onSend: (text: string) => Promise<boolean> | boolean;
  onStop: () => void;
  /** ↑ in an empty box: edit the last message. */
  onEditLast?: () => void;
}>(function Composer({ draftKey, placeholder, streaming, disabled, onSend, onStop, onEditLast }, ref) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => loadDraft(draftKey));
  const area = useRef<HTMLTextAreaElement>(null);
  // The text being sent stays saved until the server took it: a session that expired
  // meanwhile sends the user to the login page, and the draft must survive that.
  const sending = useRef<string | null>(null);
  const hintId = useId();
  const labelId = useId();

  useImperativeHandle(ref, () => ({ focus: () => area.current?.focus(), setText }), []);

  // Another conversation, another draft.
  useEffect(() => {
    setText(loadDraft(draftKey));
  }, [draftKey]);

  useEffect(() => saveDraft(draftKey, text || sending.current || ''), [draftKey, text]);

  // Grow with the text, up to a limit.
  useEffect(() => {
    const element = area.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${Math.min(element.scrollHeight, 240)}px`;
  }, [text]);

  async function submit() {
    const message = text.trim();
    if (!message || streaming || disabled) return;
    sending.current = message;
    setText('');
    const taken = await onSend(message);
    sending.current = null;
    if (taken) saveDraft(draftKey, area.current?.value ?? '');
    else setText((current) => current || message);
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label id={labelId} className="visually-hidden" htmlFor={`${labelId}-input`}>
        {t('chat.composerLabel')}
      </label>
      <textarea
        id={`${labelId}-input`}
        ref={area}
        rows={1}
        value={text}
        placeholder={placeholder}
        aria-describedby={hintId}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowUp' && !text && onEditLast) {
            e.preventDefault();
            onEditLast();
            return;
          }
          // Never send while an input method is composing (Chinese, Japanese…).
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && e.keyCode !== 229) {
            e.preventDefault();
            void submit();
          }
        }}
        disabled={disabled}
        data-testid="composer-input"
      />
      <span id={hintId} className="visually-hidden">
        {t('chat.composerHint')}
      </span>
      {streaming ? (
        <button type="button" className="composer-button stop" onClick={onStop} aria-label={t('chat.stop')} title={t('chat.stop')} data-testid="stop">
          <StopIcon />
        </button>
      ) : (
        <button
          type="submit"
          className="composer-button"
          disabled={!text.trim() || disabled}
          aria-label={t('chat.send')}
          title={t('chat.send')}
          data-testid="send"
        >
          <SendIcon />
        </button>
      )}
    </form>
  );
});
