import { parseClientFrame, type ClientFrame, type ClientFrameOf, type TelemetryEvent } from '@parley/protocol';
import type { ChatService } from '../chats/chat-service.ts';
import { databaseUnavailable } from '../db/database-errors.ts';
import { AppError } from '../http/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import type { ClientConnection } from './client-connection.ts';
import type { ReplyControl } from './reply-control.ts';

/** What a running study decides about a participant's frames (see study/study-service.ts). */
export interface StudyFrameHooks {
  /** Runs `post` only if the participant may send to this chat now (consent, limits, permissions); refuses otherwise. */
  guardSend<T extends { duplicate: boolean }>(input: { userId: string; chatId: string; clientMsgId: string }, post: () => Promise<T>): Promise<T>;
  /** Stores validated telemetry events of this user. */
  recordTelemetry(userId: string, events: TelemetryEvent[]): Promise<number>;
}

export interface FrameHandlerDeps {
  chats: ChatService;
  replies: ReplyControl;
  study: StudyFrameHooks;
  logger: Logger;
  /** Told how long each ack took, from the frame's arrival (operators' ack latency metric). */
  observeAck?(seconds: number): void;
}

/** Handles one client frame; every frame that names a chat is checked for ownership on that frame. */
export function createFrameHandler({ chats, replies, study, logger, observeAck }: FrameHandlerDeps) {
  async function requireOwnedChat(connection: ClientConnection, chatId: string): Promise<void> {
    if (!(await chats.ownsChat(connection.userId, chatId))) throw new AppError('not_found', 'Chat not found.');
  }

  const handlers: { [T in ClientFrame['type']]: (c: ClientConnection, frame: ClientFrameOf<T>) => Promise<void> } = {
    async send(connection, frame) {
      const posted = await study.guardSend({ userId: connection.userId, chatId: frame.chatId, clientMsgId: frame.clientMsgId }, () =>
        chats.postUserMessage({
          userId: connection.userId,
          chatId: frame.chatId,
          clientMsgId: frame.clientMsgId,
          content: frame.content,
          originConnectionId: connection.id,
        }),
      );
      connection.send({
        type: 'ack',
        chatId: frame.chatId,
        clientMsgId: frame.clientMsgId,
        message: posted.message,
        duplicate: posted.duplicate,
      });
    },
    async stop(connection, frame) {
      await requireOwnedChat(connection, frame.chatId);
      await replies.stop(frame.chatId);
    },
    async resume(connection, frame) {
      await requireOwnedChat(connection, frame.chatId);
      // Snapshot and send in one tick: deltas produced after it follow on this socket, none before it.
      const local = replies.snapshot(frame.chatId);
      if (!local && (await replies.runsElsewhere(frame.chatId))) {
        // The instance generating it answers through the fan-out.
        replies.requestRemoteSnapshots(connection.userId, frame.chatId);
        return;
      }
      connection.send({ type: 'agent.snapshot', chatId: frame.chatId, reply: replies.snapshot(frame.chatId) });
    },
    async ping(connection, frame) {
      connection.send({ type: 'pong', t: frame.t });
    },
    async telemetry(connection, frame) {
      // Stored silently: only a refusal is answered.
      await study.recordTelemetry(connection.userId, frame.events);
    },
  };

  return async function handleFrame(connection: ClientConnection, raw: string, receivedAt = performance.now()): Promise<void> {
    const parsed = parseClientFrame(raw);
    if (!parsed.ok) {
      connection.send({ type: 'error', code: parsed.code, message: parsed.message });
      return;
    }
    const frame = parsed.value;
    try {
      await (handlers[frame.type] as (c: ClientConnection, f: ClientFrame) => Promise<void>)(connection, frame);
      if (frame.type === 'send') observeAck?.((performance.now() - receivedAt) / 1000);
    } catch (thrown) {
      const err = databaseUnavailable(thrown) ?? thrown;
      const known = err instanceof AppError;
      if (!known) logger.error({ err, frameType: frame.type, userId: connection.userId }, 'socket frame failed');
      else if (err !== thrown) logger.warn({ err: thrown, frameType: frame.type, userId: connection.userId }, 'database unavailable');
      connection.send({
        type: 'error',
        code: known ? err.code : 'internal',
        message: known ? err.message : 'Something went wrong on the server. Please try again.',
        ...('chatId' in frame ? { chatId: frame.chatId } : {}),
        ...(frame.type === 'send' ? { clientMsgId: frame.clientMsgId } : {}),
        frame: frame.type,
      });
    }
  };
}
