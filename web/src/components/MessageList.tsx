import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Agent, Message } from '../api';
import { ArrowDownIcon } from './icons';
import { MessageView } from './MessageView';

/** Distance from the bottom (px) under which the view counts as "at the latest message". */
const STICKY = 80;
/** A first guess at a message's height; each is measured once rendered. */
const ESTIMATE = 160;

/**
 * The messages, virtualised: only those in or near the view are in the page (each measured
 * as it renders), so a conversation of thousands opens as fast as a short one. The view
 * follows the answer as it streams — until the user scrolls up; then "jump to latest" brings
 * them back.
 */
export function MessageList({ messages, agents, streaming }: { messages: Message[]; agents: Agent[]; streaming: boolean }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);

  // This build has no React Compiler; the virtualizer re-renders the list itself.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATE,
    getItemKey: (index) => messages[index]?.id ?? index,
    overscan: 4,
    // Open at the end: the first render already lays out the latest messages.
    initialOffset: () => messages.length * ESTIMATE,
  });

  // Jumps, not smooth scrolls: a smooth scroll's target moves as the rows on the way are
  // measured.
  const toBottom = useCallback(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, []);

  // Only the reader unpins the view: rows measured taller or shorter than guessed also move
  // the scroll position, and must not stop the view from following the answer.
  const lastInput = useRef(0);
  const onInput = () => {
    lastInput.current = performance.now();
  };
  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < STICKY;
    const byReader = performance.now() - lastInput.current < 1000;
    if (atBottom === pinnedRef.current || (!atBottom && !byReader)) return;
    pinnedRef.current = atBottom;
    setPinned(atBottom);
  };

  // New content, or messages measured taller than guessed: stay at the bottom while pinned.
  const total = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    if (pinnedRef.current) toBottom();
  }, [messages, total, toBottom]);

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
    toBottom();
  }, [count, toBottom]);

  const items = virtualizer.getVirtualItems();
  return (
    <div
      className="message-scroller"
      ref={scroller}
      onScroll={onScroll}
      onWheel={onInput}
      onTouchMove={onInput}
      onPointerDown={onInput}
      onKeyDown={onInput}
      data-testid="message-list"
    >
      <div className="message-column" role="log" aria-live="off" aria-busy={streaming}>
        <div className="message-rows" style={{ height: total }}>
          {items.map((item) => {
            const message = messages[item.index];
            if (!message) return null;
            return (
              <div
                key={item.key}
                className="message-row"
                data-index={item.index}
                ref={virtualizer.measureElement}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <MessageView message={message} agents={agents} last={item.index === messages.length - 1} busy={streaming} />
              </div>
            );
          })}
        </div>
      </div>
      {!pinned && (
        <button
          type="button"
          className="jump-to-latest"
          onClick={() => {
            pinnedRef.current = true;
            setPinned(true);
            toBottom();
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
