// Custom instructions: a text the server adds to the system prompt of every chat turn of the
// user (in the app, for every agent; not to /v1 calls).
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { authApi } from '../../api';
import { describeError, fieldError } from '../../lib/errors';

/** The server's limit, in characters (Unicode code points, as it counts them). */
export const MAX_INSTRUCTIONS = 4000;

const length = (text: string) => Array.from(text.trim()).length;

/**
 * `saved`: the instructions as /api/auth/me gave them; `undefined` while they load (the box is
 * then read-only: saving would overwrite what is not shown yet).
 */
export function InstructionsSection({ saved: initial, loadError }: { saved: string | null | undefined; loadError?: string | null }) {
  const { t, i18n } = useTranslation();
  const [saved, setSaved] = useState(initial ?? '');
  const [text, setText] = useState(initial ?? '');
  const [error, setError] = useState<string | null>(null);
  const [fieldMessage, setFieldMessage] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const loading = initial === undefined;
  const count = length(text);
  const over = count > MAX_INSTRUCTIONS;

  async function store(value: string | null, done: string) {
    setBusy(true);
    setError(null);
    setFieldMessage(null);
    setNotice(null);
    try {
      const me = await authApi.updateMe({ custom_instructions: value });
      const now = me.custom_instructions ?? '';
      setSaved(now);
      setText(now);
      setNotice(done);
    } catch (e) {
      const found = fieldError(e, ['custom_instructions'] as const);
      if (found) setFieldMessage(found.message);
      else setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  function save(event: FormEvent) {
    event.preventDefault();
    const value = text.trim();
    void store(value || null, t(value ? 'settings.instructions.saved' : 'settings.instructions.cleared'));
  }

  const number = (n: number) => n.toLocaleString(i18n.language);
  return (
    <section className="card" aria-labelledby="settings-instructions" data-testid="instructions-section">
      <h2 id="settings-instructions">{t('settings.instructions.title')}</h2>
      <p className="hint" id={`${id}-hint`}>
        {t('settings.instructions.intro')}
      </p>
      <form className="form wide-form" onSubmit={save} data-testid="instructions-form">
        <div className={`field${fieldMessage ? ' invalid' : ''}`}>
          <label htmlFor={id}>{t('settings.instructions.label')}</label>
          <textarea
            id={id}
            rows={6}
            value={text}
            placeholder={t('settings.instructions.placeholder')}
            onChange={(e) => {
              setText(e.target.value);
              setNotice(null);
            }}
            readOnly={loading}
            aria-invalid={fieldMessage || over ? true : undefined}
            aria-describedby={`${id}-hint ${id}-count${fieldMessage ? ` ${id}-error` : ''}`}
            data-testid="instructions-input"
          />
          <span id={`${id}-count`} className={`hint char-count${over ? ' over' : ''}`} data-testid="instructions-count">
            {t('settings.instructions.count', { count: number(count), max: number(MAX_INSTRUCTIONS) })}
          </span>
          {fieldMessage && (
            <span className="form-error" id={`${id}-error`} role="alert" data-testid="instructions-error">
              {fieldMessage}
            </span>
          )}
        </div>
        {(error || loadError) && (
          <p className="form-error" role="alert">
            {error ?? loadError}
          </p>
        )}
        {notice && (
          <p className="form-ok" role="status" data-testid="instructions-notice">
            {notice}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy || loading || text.trim() === saved.trim()} data-testid="instructions-save">
            {t('common.save')}
          </button>
          <button
            type="button"
            className="button"
            disabled={busy || loading || (!text && !saved)}
            onClick={() => void store(null, t('settings.instructions.cleared'))}
            data-testid="instructions-clear"
          >
            {t('settings.instructions.clear')}
          </button>
        </div>
      </form>
    </section>
  );
}
