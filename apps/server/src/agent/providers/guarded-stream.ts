import { providerError, ProviderError, type ProviderEvent, type ProviderRequest } from './types.ts';

/**
 * Thrown by a provider whose response ended before the provider's end-of-reply marker
 * (Anthropic's message_stop, OpenAI's finish_reason). The SDKs end their streams quietly
 * when the connection drops or is aborted, so "the loop finished" alone does not mean
 * "the reply is complete".
 */
export class StreamEndedEarlyError extends Error {
  override readonly name = 'StreamEndedEarlyError';
  constructor() {
    super('the model stream ended before its end-of-reply marker');
  }
}

/** Produces the events of one reply; must stop when `signal` aborts. */
export type EventProducer = (signal: AbortSignal) => AsyncIterable<ProviderEvent>;

/**
 * Runs a provider's event producer under the rules every provider shares, so each provider
 * only has to speak its wire format:
 *
 * - The caller's abort ends the stream quietly (the iterator returns, nothing is thrown).
 * - The silence timeout (`settings.timeoutMs`) aborts the producer and throws
 *   ProviderError('agent_timeout') when no event arrives for that long: while waiting for the
 *   first token (retries included) or between two events. It is not a limit on the whole reply,
 *   so a long answer that keeps streaming is never cut off (its length is bounded by maxTokens).
 * - Both take effect promptly even if the producer is stuck in an await that ignores its
 *   signal: each `next()` is raced against the abort.
 * - Any other failure is converted by `toProviderError`; a ProviderError passes through.
 */
export async function* guardedStream(
  request: ProviderRequest,
  produce: EventProducer,
  toProviderError: (error: unknown) => ProviderError,
): AsyncGenerator<ProviderEvent, void, undefined> {
  const callerSignal = request.signal;
  if (callerSignal.aborted) return;

  const controller = new AbortController();
  let timedOut = false;
  const onCallerAbort = () => controller.abort(callerSignal.reason);
  callerSignal.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('the agent was silent for longer than its timeout'));
  }, request.settings.timeoutMs);

  // Rejects when either abort fires; raced against every next() so a stuck producer cannot hold us.
  const ABORTED = Symbol('aborted');
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(ABORTED);
    controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {}); // observed below; never an unhandled rejection

  let iterator: AsyncIterator<ProviderEvent> | undefined;
  let finished = false;
  try {
    iterator = produce(controller.signal)[Symbol.asyncIterator]();
    for (;;) {
      const result = await Promise.race([iterator.next(), aborted]);
      if (result.done) break;
      timer.refresh();
      yield result.value;
    }
    finished = true;
  } catch (error) {
    if (timedOut) throw providerError('agent_timeout', { cause: error === ABORTED ? undefined : error });
    if (callerSignal.aborted) return;
    throw error instanceof ProviderError ? error : toProviderError(error);
  } finally {
    clearTimeout(timer);
    callerSignal.removeEventListener('abort', onCallerAbort);
    controller.signal.removeEventListener('abort', onAbort);
    if (!finished) {
      // The consumer stopped early, or we gave up on the producer: cancel its request. Not
      // awaited, because a stuck producer must not delay the caller.
      if (!controller.signal.aborted) controller.abort(new Error('stream closed'));
      iterator?.return?.()?.then(undefined, () => {});
    }
  }
}
