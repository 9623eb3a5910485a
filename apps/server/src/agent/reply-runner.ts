import type { Message, ReplySnapshot } from '@parley/protocol';
import type { Cluster, ControlMessage } from '../cluster/cluster.ts';
import type { ReplyControl } from '../gateway/reply-control.ts';
import type { Logger } from '../logging/logger.ts';
import { buildHistory } from './history.ts';
import { isProviderError, providerError, type AgentProvider, type AgentSettings, type ProviderError } from './providers/types.ts';
import { Checkpointer } from './checkpointer.ts';
import type { ReplyOutcome, ReplyStore } from './reply-store.ts';

/** How often a streaming reply's text is saved: a crash loses at most this much of a reply. */
export const CHECKPOINT_INTERVAL_MS = 1000;

type EndReason = 'stop' | 'interrupt' | 'shutdown';

interface RunningReply {
  readonly userId: string;
  readonly chatId: string;
  readonly controller: AbortController;
  /** Null until the assistant row exists; only then is the reply visible to clients. */
  messageId: string | null;
  text: string;
  /** seq of the last delta sent; -1 before the first. */
  seq: number;
  endReason: EndReason | null;
  finished: Promise<void>;
}

/** One chat's replies: at most one runs, at most one more waits (it will answer the newest message). */
interface ChatLane {
  running: RunningReply | null;
  queued: boolean;
  tail: Promise<void>;
  /** The right to run this chat's replies (always granted on one instance); null: another instance has it. */
  claim: Promise<(() => Promise<void>) | null>;
}

export interface ReplyRunnerDeps {
  store: ReplyStore;
  /**
   * The agent settings for a reply in this chat, read once per reply: the hot-reloaded settings in
   * force, or in a study the participant's condition's (its name is stored with the reply).
   */
  settings(chatId: string): Promise<{ settings: AgentSettings; condition: string | null }>;
  /** The form in which the participant sees a stored message (a study may hide the model's name). */
  present?(message: Message): Message;
  providerFor(settings: AgentSettings): AgentProvider;
  /** Delivers frames to every socket of the chat's owner (on every instance), and to no one else. */
  cluster: Cluster;
  logger: Logger;
  checkpointIntervalMs?: number;
  /**
   * With several instances: when to look again at replies that were claimed by some instance at
   * start. A live instance keeps its claim; a crashed one's claim expires (15 s), and its replies
   * are then ended here.
   */
  orphanRecheckMs?: number;
}

const ORPHAN_RECHECK_MS = 20_000;
/**
 * At start, a message left unanswered by a stop or crash this recently is answered; an older one is
 * left alone (its participant has moved on, and a reply appearing hours later would surprise them).
 */
export const ANSWER_UNANSWERED_WITHIN_MS = 10 * 60_000;
/** Retrying to store a reply's end after a database failure: 0.5 s, doubling, at most every 30 s. */
const FINISH_RETRY_FIRST_MS = 500;
const FINISH_RETRY_MAX_MS = 30_000;

/**
 * Runs the agent's replies: one per chat at a time, a newer user message interrupts the running one,
 * every delta is numbered and mirrored in memory so any socket can resume mid-reply, and the row in
 * the database follows the reply from `streaming` to `complete`, `interrupted` or `error`.
 * A socket closing never affects a reply; only `stop`, a newer message or shutdown end one early.
 */
export class ReplyRunner implements ReplyControl {
  readonly #lanes = new Map<string, ChatLane>();
  readonly #deps: ReplyRunnerDeps;
  readonly #checkpoints: Checkpointer;
  #closed = false;

  constructor(deps: ReplyRunnerDeps) {
    this.#deps = deps;
    this.#checkpoints = new Checkpointer(deps.store, deps.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS, deps.logger);
    deps.cluster.onControl((message) => this.#onControl(message));
  }

  /**
   * Replies left `streaming` by a crash are marked interrupted; call once before serving. A reply
   * whose chat another instance holds is running there and is left alone; if that claim was a
   * crashed instance's, it expires and a later pass ends the reply.
   */
  async recover(): Promise<number> {
    const isLive = (chatId: string) => this.#deps.cluster.chatClaimed(chatId);
    const { interrupted, live } = await this.#deps.store.interruptOrphans(isLive);
    if (live.length > 0) {
      const recheck = setTimeout(() => {
        if (this.#closed) return;
        this.#deps.store
          .interruptOrphans(isLive, live)
          .then(({ interrupted: late }) => late > 0 && this.#deps.logger.warn({ count: late }, 'replies of a crashed instance were marked interrupted'))
          .catch((err: unknown) => this.#deps.logger.error({ err }, 'could not end the replies of a crashed instance'));
      }, this.#deps.orphanRecheckMs ?? ORPHAN_RECHECK_MS);
      recheck.unref();
    }
    return interrupted;
  }

  /**
   * Starts the replies a stop or crash prevented: a participant's message stored in the last
   * `withinMs` that nothing answered (a shutdown that came between the two, a crash after the ack).
   * Chats another instance holds are its own business. Returns how many replies were started.
   */
  async answerUnanswered(withinMs: number): Promise<number> {
    const chats = await this.#deps.store.unansweredChats(new Date(Date.now() - withinMs));
    let started = 0;
    for (const { chatId, userId } of chats) {
      if (this.#lanes.has(chatId) || (await this.#deps.cluster.chatClaimed(chatId))) continue;
      this.onUserMessage(userId, chatId);
      started += 1;
    }
    return started;
  }

  get runningCount(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) if (lane.running) n += 1;
    return n;
  }

  /**
   * A user message was committed: answer it, interrupting whatever reply runs in that chat.
   * `forwarded`: it came from another instance, which must not be asked back.
   */
  onUserMessage(userId: string, chatId: string, forwarded = false): void {
    if (this.#closed) return;
    let lane = this.#lanes.get(chatId);
    if (!lane) {
      lane = { running: null, queued: false, tail: Promise.resolve(), claim: this.#deps.cluster.claimChat(chatId) };
      this.#lanes.set(chatId, lane);
    }
    if (lane.running) this.#end(lane.running, 'interrupt');
    if (lane.queued) return; // The waiting reply reads the history when it starts, so it answers this message too.
    lane.queued = true;
    const current = lane;
    const tail: Promise<void> = lane.tail
      .then(async () => {
        current.queued = false;
        if (this.#closed) return;
        if (!(await current.claim)) {
          // Another instance runs this chat's replies: it interrupts its reply and answers.
          if (!forwarded) this.#deps.cluster.control({ type: 'user-message', chatId, userId });
          return;
        }
        await this.#run(current, userId, chatId);
      })
      .catch((err: unknown) => this.#deps.logger.error({ err, chatId }, 'agent reply failed unexpectedly'))
      .finally(async () => {
        if (current.tail !== tail || current.running || current.queued) return;
        this.#lanes.delete(chatId);
        const release = await current.claim;
        await release?.();
      });
    lane.tail = tail;
  }

  snapshot(chatId: string): ReplySnapshot | null {
    const reply = this.#lanes.get(chatId)?.running;
    if (!reply?.messageId) return null;
    return { chatId, messageId: reply.messageId, seq: reply.seq, text: reply.text };
  }

  snapshotsForUser(userId: string): ReplySnapshot[] {
    const snapshots: ReplySnapshot[] = [];
    for (const [chatId, lane] of this.#lanes) {
      if (lane.running?.userId === userId) {
        const snapshot = this.snapshot(chatId);
        if (snapshot) snapshots.push(snapshot);
      }
    }
    return snapshots;
  }

  async stop(chatId: string): Promise<void> {
    const reply = this.#lanes.get(chatId)?.running;
    if (!reply) {
      this.#deps.cluster.control({ type: 'stop', chatId });
      return;
    }
    this.#end(reply, 'stop');
    await reply.finished;
  }

  /** Whether another instance runs a reply in this chat (its snapshot must come from there). */
  async runsElsewhere(chatId: string): Promise<boolean> {
    return !this.#lanes.has(chatId) && (await this.#deps.cluster.chatClaimed(chatId));
  }

  /** Asks the instances running this user's replies to send their snapshots (after a reconnect or a resume). */
  requestRemoteSnapshots(userId: string, chatId?: string): void {
    this.#deps.cluster.control({ type: 'resync', userId, ...(chatId ? { chatId } : {}) });
  }

  #onControl(message: ControlMessage): void {
    switch (message.type) {
      case 'stop': {
        const reply = this.#lanes.get(message.chatId)?.running;
        if (reply) this.#end(reply, 'stop');
        return;
      }
      case 'user-message':
        this.onUserMessage(message.userId, message.chatId, true);
        return;
      case 'resync':
        for (const snapshot of this.snapshotsForUser(message.userId)) {
          if (!message.chatId || snapshot.chatId === message.chatId) {
            this.#deps.cluster.toUser(message.userId, { type: 'agent.snapshot', chatId: snapshot.chatId, reply: snapshot });
          }
        }
        return;
    }
  }

  /** Ends every running reply as interrupted (their text so far is kept) and waits for them to be stored. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    for (const lane of this.#lanes.values()) if (lane.running) this.#end(lane.running, 'shutdown');
    await Promise.allSettled([...this.#lanes.values()].map((lane) => lane.tail));
    this.#checkpoints.close();
  }

  #end(reply: RunningReply, reason: EndReason): void {
    if (reply.controller.signal.aborted) return;
    reply.endReason = reason;
    reply.controller.abort();
  }

  async #run(lane: ChatLane, userId: string, chatId: string): Promise<void> {
    const { store, logger } = this.#deps;
    const publish: Cluster['toUser'] = (userId, frame) => this.#deps.cluster.toUser(userId, frame);
    let markFinished!: () => void;
    const reply: RunningReply = {
      userId,
      chatId,
      controller: new AbortController(),
      messageId: null,
      text: '',
      seq: -1,
      endReason: null,
      finished: new Promise((resolve) => (markFinished = resolve)),
    };
    lane.running = reply;
    const signal = reply.controller.signal;
    const startedAt = performance.now();
    try {
      const { settings, condition } = await this.#deps.settings(chatId);
      const provider = this.#deps.providerFor(settings);
      const stored = await store.recentMessages(chatId);
      // Interrupted before it began: the reply queued behind it answers instead.
      if (signal.aborted) return;
      const replyTo = findLast(stored, (m) => m.role === 'user');
      const row = await store.start(chatId, replyTo?.id ?? null, settings, provider.name, condition);
      reply.messageId = row.id;
      const present = this.#deps.present ?? ((message: Message) => message);
      publish(userId, { type: 'agent.start', chatId, messageId: row.id, message: present(row) });

      const result = await this.#stream(reply, provider, settings, stored, startedAt);
      const status = signal.aborted ? 'interrupted' : result.error ? 'error' : 'complete';
      const final = await store.finish(row.id, {
        content: reply.text,
        status,
        firstTokenMs: result.firstTokenMs,
        durationMs: Math.round(performance.now() - startedAt),
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        errorCode: status === 'error' ? result.error!.code : null,
      });
      lane.running = null;
      if (status === 'error') {
        const error = result.error!;
        publish(userId, { type: 'agent.error', chatId, messageId: row.id, code: error.code, message: error.userMessage, final: present(final) });
      } else {
        publish(userId, { type: 'agent.done', chatId, message: present(final) });
      }
      logger.info(
        { chatId, messageId: row.id, status, reason: reply.endReason, provider: provider.name, deltas: reply.seq + 1, ms: final.agent?.durationMs },
        'agent reply ended',
      );
    } catch (err) {
      // The database failed under us: the row (if any) is `streaming` until it can be finished.
      logger.error({ err, chatId, messageId: reply.messageId }, 'agent reply could not be stored');
      if (reply.messageId) {
        this.#finishWhenPossible(reply.messageId, { content: reply.text, status: 'error', firstTokenMs: null, durationMs: Math.round(performance.now() - startedAt), inputTokens: null, outputTokens: null, errorCode: 'internal' });
        publish(userId, {
          type: 'agent.error',
          chatId,
          messageId: reply.messageId,
          code: 'internal',
          message: 'The reply could not be saved. Please try again.',
          final: null,
        });
      }
    } finally {
      if (lane.running === reply) lane.running = null;
      markFinished();
    }
  }

  /**
   * Stores the end of a reply whose row could not be finished (the database was away), retrying with
   * backoff, so it does not stay `streaming` until the next start. What the participant was shown
   * (the text, and the error) is what is stored.
   */
  #finishWhenPossible(messageId: string, outcome: ReplyOutcome, attempt = 1): void {
    const retry = setTimeout(() => {
      if (this.#closed) return; // recover() ends it at the next start
      this.#deps.store.finish(messageId, outcome).then(
        () => this.#deps.logger.info({ messageId, attempt }, 'agent reply stored once the database answered again'),
        () => this.#finishWhenPossible(messageId, outcome, attempt + 1),
      );
    }, Math.min(FINISH_RETRY_MAX_MS, FINISH_RETRY_FIRST_MS * 2 ** (attempt - 1)));
    retry.unref();
  }

  /** Streams the provider into the reply, publishing numbered deltas and checkpointing the text. */
  async #stream(reply: RunningReply, provider: AgentProvider, settings: AgentSettings, stored: Message[], startedAt: number) {
    const { logger } = this.#deps;
    const publish: Cluster['toUser'] = (userId, frame) => this.#deps.cluster.toUser(userId, frame);
    const signal = reply.controller.signal;
    const messageId = reply.messageId!;
    let firstTokenMs: number | null = null;
    let inputTokens: number | null = null;
    let outputTokens: number | null = null;
    let error: ProviderError | null = null;

    this.#checkpoints.track(messageId, () => reply.text);

    try {
      const history = buildHistory(stored, settings.contextChars);
      for await (const event of provider.stream({ settings, history, signal })) {
        // After stop, nothing more reaches anyone: the stored text is exactly what was sent.
        if (signal.aborted) break;
        if (event.type === 'usage') {
          inputTokens = event.inputTokens ?? inputTokens;
          outputTokens = event.outputTokens ?? outputTokens;
          continue;
        }
        if (!event.text) continue;
        firstTokenMs ??= Math.round(performance.now() - startedAt);
        reply.seq += 1;
        reply.text += event.text;
        publish(reply.userId, { type: 'agent.delta', chatId: reply.chatId, messageId, seq: reply.seq, text: event.text });
      }
    } catch (err) {
      if (!signal.aborted) {
        error = isProviderError(err) ? err : providerError('agent_failed', { cause: err });
        logger.warn({ err, code: error.code, status: error.status, chatId: reply.chatId }, 'agent provider failed');
      }
    } finally {
      this.#checkpoints.untrack(messageId);
    }
    return { firstTokenMs, inputTokens, outputTokens, error };
  }
}

function findLast<T>(items: T[], predicate: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i -= 1) if (predicate(items[i]!)) return items[i];
  return undefined;
}
