import OpenAI from 'openai';
import { factsForOtherError, toProviderErrorFrom, type FailureFacts } from './error-mapping.ts';
import { guardedStream, StreamEndedEarlyError } from './guarded-stream.ts';
import { providerError, type AgentProvider, type ProviderEvent, type ProviderRequest } from './types.ts';

export interface OpenAiCompatibleProviderOptions {
  /** Optional: local servers (Ollama, vLLM) usually need none, hosted gateways (LiteLLM) do. */
  apiKey?: string;
}

/**
 * Any server speaking OpenAI's Chat Completions streaming API (Ollama, vLLM, LiteLLM, …)
 * through the official `openai` SDK, which gives us its SSE parsing, retries and error
 * classes for free.
 *
 * Request choices, for compatibility with local servers rather than api.openai.com:
 * `max_tokens` rather than the newer `max_completion_tokens` (Ollama and older vLLM only
 * know the former); the system prompt as a `system` message; usage requested with
 * `stream_options.include_usage` (servers that ignore it just report no usage).
 */
export function createOpenAiCompatibleProvider(options: OpenAiCompatibleProviderOptions): AgentProvider {
  return {
    name: 'openai-compatible',
    simulated: false,
    stream(request: ProviderRequest) {
      const { settings } = request;
      const baseUrl = settings.baseUrl;
      if (!baseUrl) {
        // The config schema requires baseUrl for this provider; this guards callers that build settings by hand.
        return (async function* unavailable(): AsyncGenerator<ProviderEvent> {
          throw providerError('agent_unavailable');
        })();
      }
      const client = new OpenAI({
        baseURL: baseUrl,
        // The SDK refuses to start without a credential; with no key we pass a placeholder and
        // strip the Authorization header below, so nothing bogus is sent.
        apiKey: options.apiKey ?? 'no-key',
        defaultHeaders: options.apiKey ? undefined : { Authorization: null },
        // Explicit nulls so OPENAI_ADMIN_KEY / OPENAI_ORG_ID / OPENAI_PROJECT_ID in the environment are never sent to a third-party server.
        adminAPIKey: null,
        organization: null,
        project: null,
        maxRetries: settings.maxRetries,
        timeout: settings.timeoutMs,
        logLevel: 'off',
      });

      async function* produce(signal: AbortSignal): AsyncGenerator<ProviderEvent> {
        const stream = await client.chat.completions.create(
          {
            model: settings.model,
            messages: [
              ...(settings.systemPrompt.length > 0 ? [{ role: 'system' as const, content: settings.systemPrompt }] : []),
              ...request.history.map((turn) => ({ role: turn.role, content: turn.content })),
            ],
            max_tokens: settings.maxTokens,
            temperature: settings.temperature,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        );
        let finishReason: string | undefined;
        let inputTokens: number | undefined;
        let outputTokens: number | undefined;
        for await (const chunk of stream) {
          // The usage chunk comes last, with an empty `choices`.
          if (chunk.usage) {
            inputTokens = chunk.usage.prompt_tokens;
            outputTokens = chunk.usage.completion_tokens;
          }
          const choice = chunk.choices[0];
          if (!choice) continue;
          const text = choice.delta?.content;
          if (text) yield { type: 'text', text };
          if (choice.finish_reason) finishReason = choice.finish_reason;
        }
        // The SDK swallows `data: [DONE]` and ends quietly on a dropped connection; only a finish_reason means complete.
        if (finishReason === undefined) throw new StreamEndedEarlyError();
        yield { type: 'usage', inputTokens, outputTokens, stopReason: finishReason };
      }

      return guardedStream(request, produce, (error) => toProviderErrorFrom(openAiFailureFacts(error), error));
    },
  };
}

/** Reduces an `openai` SDK error to the facts error-mapping.ts decides on. */
export function openAiFailureFacts(error: unknown): FailureFacts {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof OpenAI.APIUserAbortError) return { kind: 'other' };
  if (error instanceof OpenAI.APIConnectionError) return { kind: 'connection' };
  if (error instanceof OpenAI.APIError) {
    // OpenAI-style bodies carry the kind in `type` or `code` (e.g. 'rate_limit_exceeded').
    const errorType = error.code ?? error.type ?? undefined;
    return error.status === undefined ? { kind: 'stream', errorType } : { kind: 'http', status: error.status, errorType };
  }
  return factsForOtherError(error);
}
