// A group's name and description, as creating a group and the group's page edit them: within
// the limits the server takes.
import type { Ref } from 'react';
import { InputField } from '../../components/FormField';

type Props = { label: string; value: string; onChange: (value: string) => void; hint?: string; error?: string; testId: string; ref?: Ref<HTMLInputElement> };

/** The group's name: required, 64 characters at most. */
export function GroupNameField({ onChange, ...field }: Props) {
  return <InputField {...field} onChange={(e) => onChange(e.target.value)} required maxLength={64} autoComplete="off" />;
}

/** The group's description: 500 characters at most. */
export function GroupDescriptionField({ onChange, ...field }: Props) {
  return <InputField {...field} onChange={(e) => onChange(e.target.value)} maxLength={500} autoComplete="off" />;
}
