// A group's retention: conversations of its members untouched for that many days are deleted
// by the hourly data lifecycle pass; empty keeps them.
import { useTranslation } from 'react-i18next';
import { InputField } from '../../components/FormField';
import { RETENTION_MAX } from '../../lib/retention';

export function RetentionField({ value, onChange, error, testId }: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  testId: string;
}) {
  const { t } = useTranslation('admin');
  return (
    <InputField
      fieldClass="retention-field"
      label={t('groups.retention')}
      type="number"
      inputMode="numeric"
      min={1}
      max={RETENTION_MAX}
      step={1}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={t('groups.retentionPlaceholder')}
      autoComplete="off"
      hint={t('groups.retentionHint')}
      error={error}
      testId={testId}
    />
  );
}

/** "Deleted after 30 days" or "Kept", for the groups list. */
export function RetentionText({ days }: { days: number | null | undefined }) {
  const { t } = useTranslation('admin');
  if (days === null || days === undefined) return <span className="hint">{t('groups.retentionKeep')}</span>;
  return <>{t('groups.retentionDays', { count: days })}</>;
}
