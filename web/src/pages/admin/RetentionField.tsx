// A group's retention: conversations of its members untouched for that many days are deleted
// by the hourly data lifecycle pass; empty keeps them.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { RETENTION_MAX } from '../../lib/retention';

export function RetentionField({ value, onChange, error, testId }: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  testId: string;
}) {
  const { t } = useTranslation('admin');
  const id = useId();
  return (
    <div className={`field retention-field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{t('groups.retention')}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={RETENTION_MAX}
        step={1}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={t('groups.retentionPlaceholder')}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        data-testid={testId}
      />
      <span className="hint" id={`${id}-hint`}>
        {t('groups.retentionHint')}
      </span>
      {error && (
        <span className="form-error" id={`${id}-error`} role="alert" data-testid="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** "Deleted after 30 days" or "Kept", for the groups list. */
export function RetentionText({ days }: { days: number | null | undefined }) {
  const { t } = useTranslation('admin');
  if (days === null || days === undefined) return <span className="hint">{t('groups.retentionKeep')}</span>;
  return <>{t('groups.retentionDays', { count: days })}</>;
}
