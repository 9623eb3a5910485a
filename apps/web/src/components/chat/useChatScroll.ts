import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** How close to the bottom (px) still counts as "at the bottom" and keeps auto-scroll on. */
const STICK_THRESHOLD_PX = 48;
/** Start loading older messages this far (px) before the top is reached. */
const LOAD_OLDER_THRESHOLD_PX = 400;

interface Anchor {
  messageId: string;
  /** Distance of that message's top from the scroller's top edge. */
  offset: number;
}

interface ChatScrollOptions {
  scroller: RefObject<HTMLElement | null>;
  content: RefObject<HTMLElement | null>;
  /** Changes when another chat is opened: the view starts at the bottom again. */
  chatKey: string | null;
  /** The oldest message shown; when it changes, older messages were put above the view. */
  firstMessageId: string | undefined;
  /** The newest unacknowledged message: when the participant sends, their message is scrolled into view. */
  lastSentId: string | undefined;
  onNearTop: () => void;
}

/**
 * Chat scrolling: follow new content while the participant is at the bottom, leave the view
 * alone once they scroll up to read (and offer "Jump to latest"), and keep the message they are
 * reading in place when older messages are inserted above it.
 */
export function useChatScroll({ scroller, content, chatKey, firstMessageId, lastSentId, onNearTop }: ChatScrollOptions) {
  const stick = useRef(true);
  /** scrollTop at the last scroll event, to tell the reader scrolling up from content growing. */
  const lastTop = useRef(0);
  const anchor = useRef<Anchor | null>(null);
  const [atBottom, setAtBottom] = useState(true);
  const nearTop = useRef(onNearTop);
  nearTop.current = onNearTop;

  const scrollToBottom = useCallback(
    (behavior: ScrollBehavior = 'auto') => {
      const el = scroller.current;
      if (!el) return;
      stick.current = true;
      setAtBottom(true);
      el.scrollTo({ top: el.scrollHeight, behavior });
      if (behavior === 'auto') lastTop.current = el.scrollTop;
    },
    [scroller],
  );

  /** Remembers the first message visible at the top of the view, to hold it in place later. */
  const captureAnchor = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const top = el.getBoundingClientRect().top;
    for (const item of el.querySelectorAll<HTMLElement>('[data-message-id]')) {
      const rect = item.getBoundingClientRect();
      if (rect.bottom > top) {
        anchor.current = { messageId: item.dataset.messageId!, offset: rect.top - top };
        return;
      }
    }
  }, [scroller]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    const movedUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    // Only the reader scrolling up stops the following. The distance alone would also count
    // content that grew between our own scroll and its (later dispatched) scroll event.
    if (distance < STICK_THRESHOLD_PX) stick.current = true;
    else if (movedUp) stick.current = false;
    setAtBottom(stick.current);
    // Following the bottom needs no anchor, and measuring on every streamed frame would force layouts.
    if (!stick.current) captureAnchor();
    if (el.scrollTop < LOAD_OLDER_THRESHOLD_PX && el.scrollHeight > el.clientHeight) nearTop.current();
  }, [scroller, captureAnchor]);

  // Content grows (a token, a new message, a rendered code block): follow it if sticking.
  useEffect(() => {
    const inner = content.current;
    const outer = scroller.current;
    if (!inner || !outer) return;
    const observer = new ResizeObserver(() => {
      if (!stick.current) return;
      outer.scrollTop = outer.scrollHeight;
      lastTop.current = outer.scrollTop;
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, [content, scroller]);

  useLayoutEffect(() => {
    anchor.current = null;
    scrollToBottom();
  }, [chatKey, scrollToBottom]);

  useLayoutEffect(() => {
    if (lastSentId !== undefined) scrollToBottom();
  }, [lastSentId, scrollToBottom]);

  // Older messages were inserted above: put the anchored message back where the reader saw it.
  useLayoutEffect(() => {
    const el = scroller.current;
    const held = anchor.current;
    if (!el || !held || stick.current) return;
    const item = el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(held.messageId)}"]`);
    if (!item) return;
    const offset = item.getBoundingClientRect().top - el.getBoundingClientRect().top;
    el.scrollTop += offset - held.offset;
  }, [firstMessageId, scroller]);

  return { atBottom, onScroll, scrollToBottom, captureAnchor };
}
