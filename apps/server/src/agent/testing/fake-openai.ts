import { startFakeLlmServer, writeSse, type FakeLlmScript, type FakeLlmServer, type WireFormat } from './fake-llm-server.ts';

/**
 * A fake OpenAI-compatible Chat Completions server (POST /v1/chat/completions, stream: true),
 * as Ollama, vLLM and LiteLLM speak it: data-only SSE lines of `chat.completion.chunk`, the
 * last content chunk with `finish_reason`, a usage chunk with empty `choices` when
 * `stream_options.include_usage` was asked for, then `data: [DONE]`.
 *
 * `url` already ends in /v1, as an Ollama base URL does (http://localhost:11434/v1).
 */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_api_key',
  404: 'model_not_found',
  429: 'rate_limit_exceeded',
  500: 'server_error',
  503: 'server_error',
};

const CREATED = 1_700_000_000;

function chunk(model: string, choices: unknown[], extra: Record<string, unknown> = {}) {
  return { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: CREATED, model, choices, ...extra };
}

/** The fake writes the model it was asked for back into every chunk, like a real server. */
const modelOf = new WeakMap<object, string>();
const wantsUsage = new WeakMap<object, boolean>();

export const openAiWireFormat: WireFormat = {
  path: '/v1/chat/completions',
  basePath: '/v1',
  errorType: (status) => ERROR_TYPES[status] ?? 'server_error',
  errorBody: (status, type) => ({ error: { message: `fake openai error ${status}`, type, code: type, param: null } }),
  start(res, request) {
    modelOf.set(res, typeof request.body?.model === 'string' ? request.body.model : 'fake-model');
    wantsUsage.set(res, request.body?.stream_options?.include_usage === true);
    writeSse(res, chunk(modelOf.get(res)!, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
  },
  token(res, text) {
    writeSse(res, chunk(modelOf.get(res) ?? 'fake-model', [{ index: 0, delta: { content: text }, finish_reason: null }]));
  },
  end(res, usage) {
    const model = modelOf.get(res) ?? 'fake-model';
    writeSse(res, chunk(model, [{ index: 0, delta: {}, finish_reason: 'stop' }]));
    if (wantsUsage.get(res)) {
      writeSse(
        res,
        chunk(model, [], {
          usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens },
        }),
      );
    }
    writeSse(res, '[DONE]');
  },
  streamError(res, type) {
    writeSse(res, { error: { message: 'fake openai stream error', type, code: type, param: null } });
  },
};

export function startFakeOpenAi(script?: FakeLlmScript): Promise<FakeLlmServer> {
  return startFakeLlmServer(openAiWireFormat, script);
}

export type { FakeLlmScript, FakeLlmServer } from './fake-llm-server.ts';
