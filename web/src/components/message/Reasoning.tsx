import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChevronRightIcon } from '../icons';

/** The model's reasoning: open while it thinks, folded once the answer starts. */
export function Reasoning({ text, streaming }: { text: string; streaming: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const shown = open || streaming;
  return (
    <div className="reasoning">
      <button type="button" className="reasoning-toggle" aria-expanded={shown} onClick={() => setOpen(!shown)} data-testid="reasoning-toggle">
        <ChevronRightIcon className={shown ? 'rotated' : undefined} />
        <span>{streaming ? t('chat.thinking') : t('chat.reasoning')}</span>
      </button>
      {shown && <div className="reasoning-text">{text}</div>}
    </div>
  );
}
