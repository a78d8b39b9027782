import { useTranslation } from 'react-i18next';
import type { Message } from '../../api';
import { useChat } from '../../stores/chat';
import { ChevronLeftIcon, ChevronRightIcon } from '../icons';

/** ‹ 2/3 ›: the other answers (or edited questions) at this point of the conversation. */
export function BranchNav({ message, busy }: { message: Message; busy: boolean }) {
  const { t } = useTranslation();
  const siblings = message.sibling_ids;
  const index = siblings.indexOf(message.id);
  if (siblings.length < 2 || index === -1) return null;
  const go = (i: number) => {
    const target = siblings[i];
    if (target) void useChat.getState().switchBranch(target);
  };
  return (
    <span className="branch-nav" role="group" aria-label={t('chat.version', { n: index + 1, total: siblings.length })} data-testid="branch-nav">
      <button type="button" className="icon-button small" disabled={busy || index === 0} onClick={() => go(index - 1)} aria-label={t('chat.previousVersion')} data-testid="branch-prev">
        <ChevronLeftIcon />
      </button>
      <span className="branch-count" aria-hidden="true" data-testid="branch-count">
        {index + 1}/{siblings.length}
      </span>
      <button type="button" className="icon-button small" disabled={busy || index === siblings.length - 1} onClick={() => go(index + 1)} aria-label={t('chat.nextVersion')} data-testid="branch-next">
        <ChevronRightIcon />
      </button>
    </span>
  );
}
