import { memo, useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import type { Agent } from '../api';
import { useChat } from '../stores/chat';
import { ArrowDownIcon } from './icons';
import { MessageView } from './message/MessageView';

/** Distance from the bottom (px) under which the view counts as "at the latest message". */
const STICKY = 80;
/** A first guess at a message's height; each is measured once rendered. */
const ESTIMATE = 160;

/**
 * The open conversation's messages, virtualised: only those in or near the view are in the
 * page (each measured as it renders), so a conversation of thousands opens as fast as a short
 * one. The view follows the answer as it streams — until the user scrolls up; then "jump to
 * latest" brings them back.
 *
 * The list reads only the messages' ids from the store, and each row its own message: a
 * streamed frame (a new object for the streaming message) renders that message's row alone.
 */
export function MessageList({ agents }: { agents: Agent[] }) {
  const { t } = useTranslation();
  const ids = useChat(useShallow((s) => s.messages.map((m) => m.id)));
  const streaming = useChat((s) => s.streaming);
  const scroller = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);

  // This build has no React Compiler; the virtualizer re-renders the list itself.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATE,
    getItemKey: (index) => ids[index] ?? index,
    overscan: 4,
    // Open at the end: the first render already lays out the latest messages.
    initialOffset: () => ids.length * ESTIMATE,
  });

  // Jumps, not smooth scrolls: a smooth scroll's target moves as the rows on the way are
  // measured.
  const toBottom = useCallback(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, []);
  /** A row's message changed (the answer grew): stay at the bottom while pinned. */
  const follow = useCallback(() => {
    if (pinnedRef.current) toBottom();
  }, [toBottom]);

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

  // Messages measured taller than guessed: stay at the bottom while pinned.
  const total = virtualizer.getTotalSize();
  useLayoutEffect(() => follow(), [ids, total, follow]);

  // A new message (one sent, or another conversation) always brings the view down.
  const count = ids.length;
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
          {items.map((item) => (
            <div
              key={item.key}
              className="message-row"
              data-index={item.index}
              ref={virtualizer.measureElement}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <MessageRow index={item.index} agents={agents} last={item.index === count - 1} busy={streaming} onChange={follow} />
            </div>
          ))}
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

/**
 * The message at `index`, read from the store by this row alone. The list renders again
 * whenever the ids change, so `index` always points at the row's own message.
 */
const MessageRow = memo(function MessageRow({ index, agents, last, busy, onChange }: {
  index: number;
  agents: Agent[];
  last: boolean;
  busy: boolean;
  onChange: () => void;
}) {
  const message = useChat((s) => s.messages[index]);
  // New content in the streaming answer: the list follows it (the page did not render).
  useLayoutEffect(() => onChange(), [message, onChange]);
  if (!message) return null;
  return <MessageView message={message} agents={agents} last={last} busy={busy} />;
});
