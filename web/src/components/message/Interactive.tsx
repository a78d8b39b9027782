import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useChat } from '../../stores/chat';
import { AppField, AppFieldSelect } from '../AppField';
import type { PartOf } from './parts';

/** An upstream question: options to pick or a form to fill; the answer continues the turn. */
export function Interactive({ part, active }: { part: PartOf<'interactive'>; active: boolean }) {
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
          {(part.fields ?? []).map((field) => {
            const fieldId = `${id}-${field.name}`;
            const value = values[field.name] ?? '';
            const set = (v: string) => setValues({ ...values, [field.name]: v });
            return (
              <AppField key={field.name} id={fieldId} field={field}>
                {field.options.length > 0 ? (
                  <AppFieldSelect id={fieldId} field={field} value={value} onChange={set} />
                ) : (
                  <input id={fieldId} required={field.required} value={value} onChange={(e) => set(e.target.value)} />
                )}
              </AppField>
            );
          })}
          <button type="submit" className="button small primary" disabled={!active}>
            {t('chat.formSubmit')}
          </button>
        </form>
      )}
    </div>
  );
}
