/**
 * The contract between the reply runner and the agent's model providers.
 *
 * A provider turns a chat history into a stream of text pieces. It never touches the
 * database or the socket: the runner owns persistence and fan-out, the provider owns one
 * HTTP call (or, for the echo provider, a simulated one).
 */

export type ProviderName = 'echo' | 'anthropic' | 'openai-compatible';

/**
 * Whether the provider sends `temperature` to its model: only OpenAI-compatible servers. The Anthropic
 * API version in use rejects sampling parameters, and the echo agent has none, so for them the
 * setting is neither used nor recorded with a reply.
 */
export const sendsTemperature = (provider: ProviderName): boolean => provider === 'openai-compatible';

export interface AgentSettings {
  provider: ProviderName;
  model: string;
  systemPrompt: string;
  /**
   * Sampling temperature. Used by the openai-compatible and echo providers; the anthropic
   * provider does not send it (see anthropic.ts: the Messages API version spoken by
   * @anthropic-ai/sdk 1.x rejects sampling parameters).
   */
  temperature: number;
  maxTokens: number;
  /** Silence timeout: the longest wait for the first token (retries included) or between two events. Default 120000. */
  timeoutMs: number;
  /** For anthropic (optional) and openai-compatible (required). */
  baseUrl?: string;
  /** Bounded retries for connection errors / 408 / 409 / 429 / 5xx before the first token. Default 2. */
  maxRetries: number;
  /** Echo only: pause between tokens (default 25 ms, a realistic reading pace). */
  echoDelayMs?: number;
  /**
   * Character budget for the history sent to the model (about 4 characters per token);
   * pass it to buildHistory(). Default 48000, about 12k tokens.
   */
  contextChars: number;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ProviderRequest {
  settings: AgentSettings;
  history: ChatTurn[];
  /**
   * The caller's stop signal (participant pressed stop, a new message interrupted the reply,
   * the server is shutting down). When it aborts, the stream ENDS QUIETLY: the iterator
   * returns without throwing. The caller tells "stopped" from "finished" by checking its own
   * `signal.aborted` after the loop.
   */
  signal: AbortSignal;
}

export type ProviderEvent =
  | { type: 'text'; text: string }
  | {
      type: 'usage';
      inputTokens?: number;
      outputTokens?: number;
      /** The provider's own stop reason when it gave one, e.g. 'end_turn', 'max_tokens', 'stop', 'length'. */
      stopReason?: string;
    };

export interface AgentProvider {
  readonly name: ProviderName;
  /** True for the built-in echo agent, so the UI and exports can say the reply was simulated. */
  readonly simulated: boolean;
  /**
   * Streams one reply. Ends quietly when `request.signal` aborts; throws ProviderError for
   * every failure, including the silence timeout (`agent_timeout`).
   */
  stream(request: ProviderRequest): AsyncIterable<ProviderEvent>;
}

export type ProviderErrorCode = 'agent_failed' | 'agent_timeout' | 'agent_rate_limited' | 'agent_unavailable';

/** What a participant reads for each failure. Never provider text, never a key. */
export const PROVIDER_USER_MESSAGES: Readonly<Record<ProviderErrorCode, string>> = {
  agent_failed: 'The agent could not answer. Please try again.',
  agent_timeout: 'The agent took too long to answer. Please try again.',
  agent_rate_limited: 'The agent is receiving too many requests. Please wait a moment and try again.',
  agent_unavailable: 'The agent is not available right now. Please try again later.',
};

export interface ProviderErrorOptions {
  /** The underlying error, for server logs only (it may hold provider text). */
  cause?: unknown;
  /** HTTP status of the provider's response, when there was one; for logs and metrics. */
  status?: number;
}

/**
 * A failed reply. `message` equals `userMessage`, so logging or forwarding the error can
 * never leak provider text or credentials; the detail lives in `cause` and `status`.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly status: number | undefined;

  constructor(
    readonly code: ProviderErrorCode,
    readonly userMessage: string = PROVIDER_USER_MESSAGES[code],
    options?: ProviderErrorOptions,
  ) {
    super(userMessage, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

/** A ProviderError with the standard participant-facing message for its code. */
export function providerError(code: ProviderErrorCode, options?: ProviderErrorOptions): ProviderError {
  return new ProviderError(code, PROVIDER_USER_MESSAGES[code], options);
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
