import Anthropic from '@anthropic-ai/sdk';
import { factsForOtherError, toProviderErrorFrom, type FailureFacts } from './error-mapping.ts';
import { guardedStream, StreamEndedEarlyError } from './guarded-stream.ts';
import type { AgentProvider, ProviderEvent, ProviderRequest } from './types.ts';

export interface AnthropicProviderOptions {
  /** Passed in by the factory; never read from process.env here, so tests and the config decide. */
  apiKey: string;
  /** From ANTHROPIC_BASE_URL via the config; the agent file's `baseUrl` takes precedence. */
  baseUrl?: string;
}

/**
 * Claude through @anthropic-ai/sdk's `messages.stream`, reading its events as they arrive:
 * text deltas become the reply, message_start/message_delta give the token counts.
 *
 * Sampling: `settings.temperature` is deliberately not sent. The SDK 1.x speaks API version
 * 2026-10-21, whose Messages endpoint rejects temperature/top_p/top_k (HTTP 400, even at
 * the default 1.0) and whose SDK types no longer have them.
 *
 * Retries: the SDK retries connection errors, 408/409/429 and 5xx (honouring retry-after)
 * before the response starts, up to `settings.maxRetries` times. Once tokens flow, a failure
 * is final: retrying would replay text the participant has already seen.
 */
export function createAnthropicProvider(options: AnthropicProviderOptions): AgentProvider {
  return {
    name: 'anthropic',
    simulated: false,
    stream(request: ProviderRequest) {
      const { settings } = request;
      // A client per reply is cheap (no sockets until the request) and picks up hot-reloaded settings.
      const client = new Anthropic({
        apiKey: options.apiKey,
        // Explicit, so only Parley's configuration (not the SDK reading the environment itself) decides.
        baseURL: settings.baseUrl ?? options.baseUrl ?? 'https://api.anthropic.com',
        maxRetries: settings.maxRetries,
        // Per attempt, until the response starts; guardedStream enforces the silence timeout across attempts.
        timeout: settings.timeoutMs,
        // The SDK's own logging would print provider error text to stdout; failures reach our logs through ProviderError.cause.
        logLevel: 'off',
      });

      async function* produce(signal: AbortSignal): AsyncGenerator<ProviderEvent> {
        const stream = client.messages.stream(
          {
            model: settings.model,
            max_tokens: settings.maxTokens,
            system: settings.systemPrompt.length > 0 ? settings.systemPrompt : undefined,
            messages: request.history.map((turn) => ({ role: turn.role, content: turn.content })),
          },
          { signal },
        );
        // The stream's iterator ends quietly when an error arrives while nobody is waiting on it;
        // kept here, so a failure in the middle of a reply is reported as what it was.
        let failure: unknown;
        stream.on('error', (error) => (failure ??= error));
        let inputTokens: number | undefined;
        let outputTokens: number | undefined;
        let stopReason: string | undefined;
        for await (const event of stream) {
          switch (event.type) {
            case 'message_start':
              inputTokens = event.message.usage?.input_tokens ?? undefined;
              outputTokens = event.message.usage?.output_tokens ?? undefined;
              break;
            case 'content_block_delta':
              // Only visible text: thinking, signatures and tool input are not part of the reply.
              if (event.delta.type === 'text_delta' && event.delta.text.length > 0) {
                yield { type: 'text', text: event.delta.text };
              }
              break;
            case 'message_delta':
              // Counts in message_delta are cumulative for the whole message.
              inputTokens = event.usage.input_tokens ?? inputTokens;
              outputTokens = event.usage.output_tokens ?? outputTokens;
              stopReason = event.delta.stop_reason ?? stopReason;
              break;
            case 'message_stop':
              yield { type: 'usage', inputTokens, outputTokens, stopReason };
              return;
            default:
              break;
          }
        }
        if (failure !== undefined) throw failure;
        // The SDK ends quietly on a dropped connection or an abort; only message_stop means complete.
        throw new StreamEndedEarlyError();
      }

      return guardedStream(request, produce, (error) => toProviderErrorFrom(anthropicFailureFacts(error), error));
    },
  };
}

/** Reduces an @anthropic-ai/sdk error to the facts error-mapping.ts decides on. */
export function anthropicFailureFacts(error: unknown): FailureFacts {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof Anthropic.APIUserAbortError) return { kind: 'other' };
  if (error instanceof Anthropic.APIConnectionError) return { kind: 'connection' };
  if (error instanceof Anthropic.APIError) {
    const errorType = error.type ?? undefined;
    // An `event: error` inside a 200 stream has no status, only the error type.
    return error.status === undefined ? { kind: 'stream', errorType } : { kind: 'http', status: error.status, errorType };
  }
  return factsForOtherError(error);
}
