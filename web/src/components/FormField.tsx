// The fields of the admin console's and the settings' forms: a label, the control, its hint and
// the server's error for it (a `field-error`, as these pages' tests look for it).
import { useId, type ComponentProps, type ReactNode } from 'react';

type FieldProps = {
  label: string;
  hint?: string;
  error?: string | null;
  testId: string;
  /** A class of the field (the `div` around label and control) besides `field`. */
  fieldClass?: string;
};

/** What ties a control to its label, hint and error. */
type Wiring = { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };

/** A labelled input with its hint and its error. */
export function InputField({ label, hint, error, testId, fieldClass, ...input }: FieldProps & ComponentProps<'input'>) {
  return (
    <Field label={label} hint={hint} error={error} fieldClass={fieldClass}>
      {(wiring) => <input {...input} {...wiring} data-testid={testId} />}
    </Field>
  );
}

/** A labelled textarea with its hint and its error. */
export function TextAreaField({ label, hint, error, testId, fieldClass, ...area }: FieldProps & ComponentProps<'textarea'>) {
  return (
    <Field label={label} hint={hint} error={error} fieldClass={fieldClass}>
      {(wiring) => <textarea {...area} {...wiring} data-testid={testId} />}
    </Field>
  );
}

/** The field around one control, which it gives its id and ARIA wiring. */
function Field({ label, hint, error, fieldClass, children }: Omit<FieldProps, 'testId'> & { children: (wiring: Wiring) => ReactNode }) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', fieldClass, error ? 'invalid' : ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described })}
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="form-error" id={`${id}-error`} role="alert" data-testid="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
