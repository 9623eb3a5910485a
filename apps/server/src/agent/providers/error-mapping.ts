import { StreamEndedEarlyError } from './guarded-stream.ts';
import { providerError, type ProviderError, type ProviderErrorCode } from './types.ts';

/**
 * What went wrong with a model call, reduced to the facts that decide the participant-facing
 * code. Each SDK adapter (anthropic.ts, openai-compatible.ts) extracts these from its own
 * error classes; the decision itself is shared so both providers fail the same way.
 */
export interface FailureFacts {
  /** connection: no HTTP response; timeout: the SDK's own request timeout; http: an error status; stream: an error inside a 200 stream. */
  kind: 'connection' | 'timeout' | 'http' | 'stream' | 'other';
  status?: number;
  /** The provider's error type when it sent one, e.g. 'overloaded_error', 'rate_limit_error'. */
  errorType?: string;
}

const TYPE_CODES: Readonly<Record<string, ProviderErrorCode>> = {
  rate_limit_error: 'agent_rate_limited',
  rate_limit_exceeded: 'agent_rate_limited',
  overloaded_error: 'agent_unavailable',
  timeout_error: 'agent_timeout',
};

/**
 * - 429 / a rate-limit error type          → agent_rate_limited (retried by the SDK first)
 * - no connection, 5xx, 529 overloaded     → agent_unavailable (the model service is down or busy)
 * - the SDK's request timeout, 408, 504    → agent_timeout
 * - anything else (400 bad request, 401/403 bad key, 404 unknown model, a truncated or
 *   malformed stream)                      → agent_failed; the cause is kept for the logs
 */
export function codeForFailure(facts: FailureFacts): ProviderErrorCode {
  if (facts.kind === 'timeout') return 'agent_timeout';
  if (facts.kind === 'connection') return 'agent_unavailable';
  const byType = facts.errorType ? TYPE_CODES[facts.errorType] : undefined;
  if (byType) return byType;
  const status = facts.status;
  if (status === undefined) return 'agent_failed';
  if (status === 429) return 'agent_rate_limited';
  if (status === 408 || status === 504) return 'agent_timeout';
  if (status >= 500) return 'agent_unavailable';
  return 'agent_failed';
}

export function toProviderErrorFrom(facts: FailureFacts, cause: unknown): ProviderError {
  return providerError(codeForFailure(facts), { cause, status: facts.status });
}

/** Facts for failures that are not SDK errors (our own checks, JSON parse errors, bugs). */
export function factsForOtherError(error: unknown): FailureFacts {
  return { kind: error instanceof StreamEndedEarlyError ? 'stream' : 'other' };
}
