import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../../lib/clipboard';
import { CheckIcon, CopyIcon } from '../icons';

/** Copies a message's text; a tick for a moment says it worked. */
export function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="icon-button small"
      aria-label={copied ? t('common.copied') : t('common.copy')}
      title={copied ? t('common.copied') : t('common.copy')}
      onClick={async () => setCopied(await copyText(text))}
      data-testid="copy-message"
    >
      {copied ? <CheckIcon /> : <CopyIcon />}
    </button>
  );
}
