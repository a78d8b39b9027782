import { useId, type InputHTMLAttributes } from 'react';
import { FieldMessage } from './PasswordField';

/** A text field of the forms, with its hint and its error (from the server's `field`). */
export function TextField({ label, hint, error, testId, ...input }: {
  label: string;
  hint?: string;
  error?: string | null;
  testId: string;
} & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} aria-invalid={error ? true : undefined} aria-describedby={described} data-testid={testId} />
      {hint && <small id={`${id}-hint`} className="hint">{hint}</small>}
      {error && <FieldMessage id={`${id}-error`} testId={`${testId}-error`} text={error} />}
    </div>
  );
}
