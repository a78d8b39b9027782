import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EyeIcon } from './icons';

/** A password input with a show/hide toggle, its hint and its error. */
export function PasswordField({ label, value, onChange, autoComplete, testId, error, hint }: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete: string;
  testId: string;
  error?: string | null;
  hint?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [shown, setShown] = useState(false);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="input-with-button">
        <input
          id={id}
          type={shown ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete={autoComplete}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          required
          data-testid={testId}
        />
        <button
          type="button"
          className="icon-button"
          aria-pressed={shown}
          aria-label={shown ? t('auth.hidePassword') : t('auth.showPassword')}
          onClick={() => setShown(!shown)}
          data-testid={`${testId}-toggle`}
        >
          <EyeIcon />
        </button>
      </div>
      {hint && <small id={`${id}-hint`} className="hint">{hint}</small>}
      {error && <FieldMessage id={`${id}-error`} testId={`${testId}-error`} text={error} />}
    </div>
  );
}

/** The error under one field, read out when it appears. */
export function FieldMessage({ id, testId, text }: { id: string; testId: string; text: string }) {
  return (
    <small id={id} className="form-error" role="alert" data-testid={testId}>
      {text}
    </small>
  );
}
