import { memo } from 'react';
import type { Message } from '@parley/protocol';
import { useAppState, useController } from '../../AppContext.tsx';
import type { PendingMessage } from '../../store/state.ts';
import { FeedbackControls } from '../feedback/FeedbackControls.tsx';
import { SparkIcon } from '../icons.tsx';
import { AgentMarkdown } from './AgentMarkdown.tsx';
import { CopyButton } from './CopyButton.tsx';
import { useAnimationFrameValue } from './useAnimationFrameValue.ts';

/** One stored message. Memoized: a new token in another message does not re-render this one. */
export const MessageItem = memo(function MessageItem({ message }: { message: Message }) {
  if (message.role === 'user') return <UserBubble content={message.content} messageId={message.id} />;
  return <AgentMessage message={message} chatId={message.chatId} messageId={message.id} />;
});

function UserBubble({ content, messageId, children }: { content: string; messageId?: string; children?: React.ReactNode }) {
  return (
    <article className="message message--user" data-message-id={messageId} aria-label="You said">
      <div className="message__bubble">{content}</div>
      {children}
    </article>
  );
}

interface AgentMessageProps {
  chatId: string;
  messageId: string;
  /** The stored row; null for a reply whose row this tab has not received yet (resumed mid-stream). */
  message?: Message | null;
}

/** An agent reply: its live text while it streams, then the stored text. */
export function AgentMessage({ chatId, messageId, message = null }: AgentMessageProps) {
  const liveText = useAppState((s) => (s.replies[chatId]?.messageId === messageId ? s.replies[chatId].text : null));
  const errorText = useAppState((s) => s.replyErrors[messageId]);
  const streaming = liveText !== null;
  const text = useAnimationFrameValue(liveText ?? message?.content ?? '');
  const status = streaming ? 'streaming' : (message?.status ?? 'streaming');
  const simulated = message?.agent?.simulated ?? false;

  return (
    <article
      className={`message message--agent message--${status}`}
      data-message-id={messageId}
      data-status={status}
      // What is on screen now: telemetry's "stop pressed" records how much had been shown.
      data-shown-chars={text.length}
      aria-label="Agent replied"
      aria-busy={streaming}
    >
      <div className="message__avatar" aria-hidden="true">
        <SparkIcon />
      </div>
      <div className="message__body">
        <div className="message__meta">
          <span className="message__author">Agent</span>
          {simulated && (
            <span className="badge" title="Replies come from Parley's built-in simulated agent, not a language model.">
              Simulated agent
            </span>
          )}
          {/* A study can hide the model (empty name) so participants cannot tell their condition. */}
          {!simulated && message?.agent?.model && <span className="message__model">{message.agent.model}</span>}
        </div>
        {text ? <AgentMarkdown text={text} streaming={streaming} /> : status === 'streaming' ? <TypingDots /> : null}
        {status === 'interrupted' && <p className="message__note">Stopped</p>}
        {status === 'error' && (
          <p className="message__note message__note--error" role="note">
            {errorText ?? 'The agent could not finish this reply.'}
          </p>
        )}
        {!streaming && status !== 'streaming' && message && (
          <FeedbackControls message={message}>{text && <CopyButton text={text} />}</FeedbackControls>
        )}
      </div>
    </article>
  );
}

function TypingDots() {
  return (
    <span className="typing" aria-hidden="true">
      <span />
      <span />
      <span />
    </span>
  );
}

/** A message sent but not acknowledged yet: "Sending…", or why it failed with Retry and Discard. */
export const PendingItem = memo(function PendingItem({ pending }: { pending: PendingMessage }) {
  const controller = useController();
  const failed = pending.state === 'failed';
  return (
    <UserBubble content={pending.content}>
      <div className={`message__delivery${failed ? ' message__delivery--failed' : ''}`} data-testid={failed ? 'send-failed' : 'sending'}>
        {failed ? (
          <>
            <span role="alert">Not delivered: {pending.error}</span>
            <button type="button" className="link-button" onClick={() => controller.retry(pending.chatId, pending.clientMsgId)}>
              Retry
            </button>
            <button type="button" className="link-button" onClick={() => controller.discard(pending.chatId, pending.clientMsgId)}>
              Discard
            </button>
          </>
        ) : (
          <span>Sending…</span>
        )}
      </div>
    </UserBubble>
  );
});
