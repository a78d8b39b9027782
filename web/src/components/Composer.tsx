import { forwardRef, useEffect, useId, useImperativeHandle, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { uploadsApi } from '../api';
import { describeError } from '../lib/errors';
import { withPreset } from '../lib/presets';
import { loadDraft, saveDraft } from '../stores/drafts';
import { PendingAttachments, type PendingFile } from './Attachments';
import { PaperclipIcon, SendIcon, StopIcon } from './icons';
import { PresetMenu } from './PresetMenu';

export interface ComposerHandle {
  focus: () => void;
  setText: (text: string) => void;
}

/**
 * The message box: Enter sends, Shift+Enter is a new line; Stop while an answer streams. The
 * preset menu fills it with a saved text.
 */
export const Composer = forwardRef<ComposerHandle, {
  draftKey: string;
  placeholder: string;
  streaming: boolean;
  disabled?: boolean;
  /** Resolves false when the message was not taken (the text comes back). */
  onSend: (text: string, attachments: string[]) => Promise<boolean> | boolean;
  /** Whether the agent reads images; when not, `agentName` explains the refusal. */
  acceptsImages: boolean;
  agentName: string;
  onStop: () => void;
  /** ↑ in an empty box: edit the last message. */
  onEditLast?: () => void;
  /** The conversation's agent: the preset menu lists the presets for it. */
  agentId?: string | null;
}>(function Composer({ draftKey, placeholder, streaming, disabled, onSend, onStop, onEditLast, acceptsImages, agentName, agentId = null }, ref) {
  const { t } = useTranslation();
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const uploading = files.some((f) => !f.upload && !f.error);

  function addFiles(list: FileList | File[]) {
    setNotice(null);
    for (const file of Array.from(list)) {
      const image = file.type.startsWith('image/');
      if (image && !acceptsImages) {
        setNotice(t('chat.noImages', { agent: agentName }));
        continue;
      }
      const key = `${Date.now()}-${Math.random()}`;
      const entry: PendingFile = { key, file, preview: image ? URL.createObjectURL(file) : null, upload: null, error: null };
      setFiles((current) => [...current, entry]);
      uploadsApi
        .upload(file)
        .then((upload) => setFiles((current) => current.map((f) => (f.key === key ? { ...f, upload } : f))))
        .catch((e) => {
          const error = t('chat.uploadFailed', { name: file.name, message: describeError(t, e) });
          setFiles((current) => current.map((f) => (f.key === key ? { ...f, error } : f)));
          // The chip has room for a few words only: the whole reason (the quota, the size
          // limit, in the server's words) goes above the box too.
          setNotice(error);
        });
    }
  }

  function removeFile(key: string) {
    const failed = files.find((f) => f.key === key)?.error;
    if (failed) setNotice((shown) => (shown === failed ? null : shown));
    setFiles((current) => {
      const gone = current.find((f) => f.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return current.filter((f) => f.key !== key);
    });
  }
  const [text, setText] = useState(() => loadDraft(draftKey));
  const area = useRef<HTMLTextAreaElement>(null);
  // The text being sent stays saved until the server took it: a session that expired
  // meanwhile sends the user to the login page, and the draft must survive that.
  const sending = useRef<string | null>(null);
  // Set when a preset was put in: the box then takes the focus, the cursor at the end.
  const focusEnd = useRef(false);
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
    if (focusEnd.current) {
      focusEnd.current = false;
      element.focus();
      element.setSelectionRange(element.value.length, element.value.length);
    }
  }, [text]);

  function insertPreset(content: string) {
    focusEnd.current = true;
    setText((current) => withPreset(current, content));
  }

  async function submit() {
    const message = text.trim();
    if (!message || streaming || disabled || uploading) return;
    const attached = files.filter((f) => f.upload);
    sending.current = message;
    setText('');
    setFiles([]);
    const taken = await onSend(message, attached.map((f) => f.upload?.id ?? ''));
    sending.current = null;
    if (taken) {
      saveDraft(draftKey, area.current?.value ?? '');
      attached.forEach((f) => f.preview && URL.revokeObjectURL(f.preview));
    } else {
      setText((current) => current || message);
      setFiles((current) => [...attached, ...current]);
    }
  }

  return (
    <form
      className={`composer${dragging ? ' dragging' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        if (e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        addFiles(e.dataTransfer.files);
      }}
      aria-label={dragging ? t('chat.dropHere') : undefined}
    >
      {notice && (
        <p className="composer-notice" role="alert">
          {notice}
        </p>
      )}
      <PendingAttachments files={files} onRemove={removeFile} />
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        accept={acceptsImages ? uploadsApi.ACCEPT : uploadsApi.ACCEPT.replace(/image\/[a-z]+,/g, '')}
        onChange={(e) => {
          if (e.target.files) addFiles(e.target.files);
          e.target.value = '';
        }}
        data-testid="file-input"
      />
      <button
        type="button"
        className="composer-attach icon-button"
        onClick={() => picker.current?.click()}
        aria-label={t('chat.attach')}
        title={acceptsImages ? t('chat.attach') : t('chat.noImages', { agent: agentName })}
        disabled={disabled}
      >
        <PaperclipIcon />
      </button>
      <PresetMenu agentId={agentId} disabled={disabled} onPick={insertPreset} />
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
        onPaste={(e) => {
          if (e.clipboardData.files.length > 0) {
            e.preventDefault();
            addFiles(e.clipboardData.files);
          }
        }}
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
          disabled={!text.trim() || disabled || uploading}
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
