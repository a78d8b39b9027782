// A field an agent's app asks the user to fill: one of its start variables (NewChat) or a
// question of a form in an answer (Interactive).
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { InteractiveField } from '../api';

/** The field's label, marked when it is required, over its control (`id` is the control's). */
export function AppField({ id, field, children }: { id: string; field: InteractiveField; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <label htmlFor={id}>
        {field.label || field.name}
        {field.required && <span className="required"> ({t('chat.required')})</span>}
      </label>
      {children}
    </div>
  );
}

/** A select of the field's options, empty until one is picked. */
export function AppFieldSelect({ id, field, value, onChange }: { id: string; field: InteractiveField; value: string; onChange: (value: string) => void }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required={field.required}>
      <option value="" />
      {field.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
