import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../lib/clipboard';
import { CheckIcon, CopyIcon } from './icons';

/** A secret or a link shown once, with a copy button. */
export function CopyField({ value, testId, multiline = false }: { value: string; testId?: string; multiline?: boolean }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <div className={`new-key-row${multiline ? ' multiline' : ''}`}>
      {multiline ? (
        <pre className="snippet" data-testid={testId}>
          <code>{value}</code>
        </pre>
      ) : (
        <code data-testid={testId}>{value}</code>
      )}
      <button type="button" className="button" onClick={async () => setCopied(await copyText(value))} data-testid={testId ? `${testId}-copy` : undefined}>
        {copied ? <CheckIcon /> : <CopyIcon />} {copied ? t('common.copied') : t('common.copy')}
      </button>
    </div>
  );
}
