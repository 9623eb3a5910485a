import { startFakeLlmServer, writeSse, type FakeLlmScript, type FakeLlmServer, type WireFormat } from './fake-llm-server.ts';

/**
 * A fake Anthropic Messages API (POST /v1/messages, stream: true). Every event carries an
 * `event:` line before its `data:` line, as the SDK drops data-only events; `message_delta`
 * carries `usage.output_tokens`, which the SDK requires.
 *
 * Usage: `const fake = await startFakeAnthropic({ tokens: ['Hi', '!'] })`, then configure the
 * provider with `baseUrl: fake.url`.
 */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export const anthropicWireFormat: WireFormat = {
  path: '/v1/messages',
  basePath: '',
  errorType: (status) => ERROR_TYPES[status] ?? 'api_error',
  errorBody: (status, type) => ({ type: 'error', error: { type, message: `fake anthropic error ${status}` } }),
  start(res, request, usage) {
    const model = typeof request.body?.model === 'string' ? request.body.model : 'fake-model';
    writeSse(
      res,
      {
        type: 'message_start',
        message: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.inputTokens, output_tokens: 1 },
        },
      },
      'message_start',
    );
    writeSse(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
    writeSse(res, { type: 'ping' }, 'ping');
  },
  token(res, text) {
    writeSse(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta');
  },
  end(res, usage) {
    writeSse(res, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
    writeSse(
      res,
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.outputTokens } },
      'message_delta',
    );
    writeSse(res, { type: 'message_stop' }, 'message_stop');
  },
  streamError(res, type) {
    writeSse(res, { type: 'error', error: { type, message: 'fake anthropic stream error' } }, 'error');
  },
};

export function startFakeAnthropic(script?: FakeLlmScript): Promise<FakeLlmServer> {
  return startFakeLlmServer(anthropicWireFormat, script);
}

export type { FakeLlmScript, FakeLlmServer } from './fake-llm-server.ts';
