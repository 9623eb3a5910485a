import { useCallback, useRef } from 'react';
import type { PendingMessage } from '../../store/state.ts';
import { useAppState, useController } from '../../AppContext.tsx';
import { ArrowDownIcon } from '../icons.tsx';
import { AgentMessage, MessageItem, PendingItem } from './MessageItem.tsx';
import { useChatScroll } from './useChatScroll.ts';

const NO_PENDING: PendingMessage[] = [];

/**
 * The open chat's messages. Rendering stays cheap for long chats: history arrives in pages, each
 * row is memoized (a streaming token re-renders only its own message) and rows off screen skip
 * layout and paint (`content-visibility: auto` in messages.css).
 */
export function MessageList({ chatId }: { chatId: string | null }) {
  const controller = useController();
  const history = useAppState((s) => (chatId ? s.histories[chatId] : undefined));
  const pending = useAppState((s) => (chatId ? s.pending[chatId] : undefined)) ?? NO_PENDING;
  const liveMessageId = useAppState((s) => (chatId ? s.replies[chatId]?.messageId : undefined));
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);

  const messages = history?.messages ?? [];
  const hasOlder = Boolean(history?.nextCursor);
  const loadingOlder = history?.loading === 'older';
  const loadOlder = useCallback(() => {
    if (hasOlder && !loadingOlder) void controller.loadOlder();
  }, [controller, hasOlder, loadingOlder]);

  const { atBottom, onScroll, scrollToBottom, captureAnchor } = useChatScroll({
    scroller,
    content,
    chatKey: chatId,
    firstMessageId: messages[0]?.id,
    lastSentId: pending[pending.length - 1]?.clientMsgId,
    onNearTop: loadOlder,
  });

  // A reply resumed mid-stream may arrive before its stored row: show it at the end meanwhile.
  const orphanReply = liveMessageId && !messages.some((m) => m.id === liveMessageId) ? liveMessageId : null;
  const empty = messages.length === 0 && pending.length === 0 && !orphanReply;

  return (
    <div className="messages-frame">
      <div className="messages" ref={scroller} onScroll={onScroll} tabIndex={0} role="region" aria-label="Messages" data-testid="messages">
        <div className="messages__content" ref={content}>
          {hasOlder && (
            <div className="messages__older">
              <button
                type="button"
                className="link-button"
                disabled={loadingOlder}
                onClick={() => {
                  captureAnchor();
                  loadOlder();
                }}
              >
                {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
              </button>
            </div>
          )}
          {history?.loading === 'initial' && messages.length === 0 && <p className="messages__status">Loading messages…</p>}
          {history?.error && (
            <p className="messages__status messages__status--error" role="alert">
              Could not load messages: {history.error}
            </p>
          )}
          {empty && !history?.loading && !history?.error && (
            <div className="messages__empty">
              <h2>What would you like to talk about?</h2>
            </div>
          )}
          {messages.map((message) => (
            <MessageItem key={message.id} message={message} />
          ))}
          {orphanReply && chatId && <AgentMessage chatId={chatId} messageId={orphanReply} />}
          {pending.map((p) => (
            <PendingItem key={p.clientMsgId} pending={p} />
          ))}
        </div>
      </div>
      {!atBottom && (
        <button type="button" className="jump-to-latest" onClick={() => scrollToBottom('smooth')}>
          <ArrowDownIcon />
          Jump to latest
        </button>
      )}
    </div>
  );
}
