import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Agent, Message } from '../api';
import { ArrowDownIcon } from './icons';
import { MessageView } from './MessageView';

/** Distance from the bottom (px) under which the view counts as "at the latest message". */
const STICKY = 80;
/**
 * Messages rendered at first, and added each time the user scrolls to the top: a long
 * conversation opens as fast as a short one.
 */
const WINDOW = 40;

/**
 * The messages, following the answer as it streams — until the user scrolls up; then a
 * "jump to latest" button brings them back.
 */
export function MessageList({ messages, agents, streaming }: { messages: Message[]; agents: Agent[]; streaming: boolean }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);
  const [shown, setShown] = useState(WINDOW);
  const start = Math.max(0, messages.length - shown);
  // Keeps the reader's place when earlier messages are added above.
  const heightBefore = useRef<number | null>(null);

  const toBottom = useCallback((smooth: boolean) => {
    const element = scroller.current;
    if (!element) return;
    element.scrollTo({ top: element.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
  }, []);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    if (element.scrollTop < 200 && start > 0 && heightBefore.current === null) {
      heightBefore.current = element.scrollHeight;
      setShown((n) => n + WINDOW);
    }
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < STICKY;
    if (atBottom !== pinnedRef.current) {
      pinnedRef.current = atBottom;
      setPinned(atBottom);
    }
  };

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && heightBefore.current !== null) {
      element.scrollTop += element.scrollHeight - heightBefore.current;
      heightBefore.current = null;
    }
  }, [shown]);

  // New content: follow it while pinned to the bottom.
  useLayoutEffect(() => {
    if (pinnedRef.current) toBottom(false);
  }, [messages, toBottom]);

  // A new message (one sent, or another conversation) always brings the view down.
  const count = messages.length;
  const [seenCount, setSeenCount] = useState(count);
  if (count !== seenCount) {
    setSeenCount(count);
    setPinned(true);
  }
  const lastCount = useRef(count);
  useLayoutEffect(() => {
    if (count === lastCount.current) return;
    lastCount.current = count;
    pinnedRef.current = true;
    toBottom(false);
  }, [count, toBottom]);

  return (
    <div className="message-scroller" ref={scroller} onScroll={onScroll} data-testid="message-list">
      <div className="message-column" role="log" aria-live="off" aria-busy={streaming}>
        {start > 0 && (
          <button type="button" className="button ghost small load-earlier" onClick={() => setShown((n) => n + WINDOW * 5)}>
            {t('chat.earlier', { count: start })}
          </button>
        )}
        {messages.slice(start).map((message, i) => (
          <MessageView key={message.id} message={message} agents={agents} last={start + i === messages.length - 1} busy={streaming} />
        ))}
      </div>
      {!pinned && (
        <button
          type="button"
          className="jump-to-latest"
          onClick={() => {
            pinnedRef.current = true;
            setPinned(true);
            toBottom(true);
          }}
          data-testid="jump-to-latest"
        >
          <ArrowDownIcon />
          <span>{t('chat.jumpToLatest')}</span>
        </button>
      )}
    </div>
  );
}
