// A preset's title and text, as the user's own presets (Settings) and admins' shared ones (an
// agent's presets dialog) are written: within the limits the server takes.
import type { Ref } from 'react';
import { InputField, TextAreaField } from './FormField';

type Props<T> = { label: string; value: string; onChange: (value: string) => void; error?: string; testId: string; ref?: Ref<T> };

/** The preset's title: required, 100 characters at most. */
export function PresetTitleField({ onChange, ...field }: Props<HTMLInputElement>) {
  return <InputField {...field} onChange={(e) => onChange(e.target.value)} required maxLength={100} autoComplete="off" />;
}

/** The preset's text: required, 8000 characters at most. */
export function PresetContentField({ onChange, ...field }: Props<HTMLTextAreaElement>) {
  return <TextAreaField {...field} onChange={(e) => onChange(e.target.value)} rows={4} required maxLength={8000} />;
}
