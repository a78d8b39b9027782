import { useTranslation } from 'react-i18next';
import { useCopy } from '../../lib/useCopy';
import { CheckIcon, CopyIcon } from '../icons';

/** Copies a message's text; a tick for a moment says it worked. */
export function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const { copied, copy } = useCopy();
  return (
    <button
      type="button"
      className="icon-button small"
      aria-label={copied ? t('common.copied') : t('common.copy')}
      title={copied ? t('common.copied') : t('common.copy')}
      onClick={() => void copy(text)}
      data-testid="copy-message"
    >
      {copied ? <CheckIcon /> : <CopyIcon />}
    </button>
  );
}
