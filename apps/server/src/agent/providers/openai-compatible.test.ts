import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { collectStream, testSettings } from '../testing/collect-stream.ts';
import { startFakeOpenAi, type FakeLlmScript, type FakeLlmServer } from '../testing/fake-openai.ts';
import { createOpenAiCompatibleProvider } from './openai-compatible.ts';
import type { AgentSettings, ChatTurn } from './types.ts';

const API_KEY = 'sk-local-test-DO-NOT-LEAK-777';
const history: ChatTurn[] = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: 'Count to three' },
];

let fake: FakeLlmServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function run(
  script: FakeLlmScript,
  settings: Partial<AgentSettings> = {},
  options: { apiKey?: string | null; signal?: AbortSignal; onEvent?: Parameters<typeof collectStream>[1] } = {},
) {
  fake ??= await startFakeOpenAi(script);
  const apiKey = options.apiKey === null ? undefined : (options.apiKey ?? API_KEY);
  const provider = createOpenAiCompatibleProvider({ apiKey });
  return collectStream(
    provider.stream({
      settings: testSettings({ provider: 'openai-compatible', model: 'llama3.2', baseUrl: fake.url, ...settings }),
      history,
      signal: options.signal ?? new AbortController().signal,
    }),
    options.onEvent,
  );
}

function expectNoKeyLeak(error: unknown) {
  expect(String(error)).not.toContain(API_KEY);
  expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
  expect(JSON.stringify(error)).not.toContain(API_KEY);
}

describe('openai-compatible provider against a fake Chat Completions server', () => {
  it('streams the reply and reports usage', async () => {
    const reply = await run({ tokens: ['One', ', two', ', three.'], usage: { inputTokens: 30, outputTokens: 5 } });
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('One, two, three.');
    expect(reply.events.at(-1)).toEqual({ type: 'usage', inputTokens: 30, outputTokens: 5, stopReason: 'stop' });
  });

  it('sends the model, system prompt as a system message, history, temperature, max_tokens and usage request', async () => {
    await run({}, { systemPrompt: 'Be brief.', temperature: 0.2, maxTokens: 99 });
    const request = fake!.lastRequest!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.body).toMatchObject({
      model: 'llama3.2',
      messages: [{ role: 'system', content: 'Be brief.' }, ...history],
      temperature: 0.2,
      max_tokens: 99,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(request.headers['authorization']).toBe(`Bearer ${API_KEY}`);
  });

  it('sends no Authorization header when no key is configured (Ollama, vLLM)', async () => {
    const reply = await run({}, {}, { apiKey: null });
    expect(reply.error).toBeUndefined();
    expect(fake!.lastRequest!.headers['authorization']).toBeUndefined();
  });

  it('retries 429 a bounded number of times, then fails with agent_rate_limited', async () => {
    const reply = await run({ failStatus: 429 }, { maxRetries: 2 });
    expect(reply.error).toMatchObject({ name: 'ProviderError', code: 'agent_rate_limited', status: 429 });
    expect(fake!.requests).toHaveLength(3);
    expectNoKeyLeak(reply.error);
  });

  it.each([
    [500, 'agent_unavailable'],
    [503, 'agent_unavailable'],
    [401, 'agent_failed'],
    [404, 'agent_failed'],
  ])('maps HTTP %i to %s', async (status, code) => {
    const reply = await run({ failStatus: status });
    expect(reply.error).toMatchObject({ code, status });
    expectNoKeyLeak(reply.error);
  });

  it('turns an in-stream error after some text into a ProviderError', async () => {
    const reply = await run({ streamErrorAfterTokens: 1, errorType: 'server_error' });
    expect(reply.text).toBe('Hello');
    expect(reply.error).toMatchObject({ code: 'agent_failed' });
    expectNoKeyLeak(reply.error);
  });

  it('treats a connection dropped mid-stream as agent_failed', async () => {
    const reply = await run({ dropAfterTokens: 2 });
    expect(reply.text).toBe('Hello from');
    expect(reply.error).toMatchObject({ code: 'agent_failed' });
  });

  it('times out a server that never answers with agent_timeout', async () => {
    const reply = await run({ hang: 'before-headers' }, { timeoutMs: 300 });
    expect(reply.error).toMatchObject({ code: 'agent_timeout' });
    expect(reply.elapsedMs).toBeLessThan(10_000);
    expectNoKeyLeak(reply.error);
  });

  it('ends quietly and promptly when the caller aborts mid-stream', async () => {
    const controller = new AbortController();
    const tokens = Array.from({ length: 200 }, (_, i) => `t${i} `);
    const reply = await run({ tokens, tokenDelayMs: 50 }, {}, {
      signal: controller.signal,
      onEvent: (_event, index) => {
        if (index === 1) controller.abort();
      },
    });
    expect(reply.error).toBeUndefined();
    expect(reply.textEvents).toBe(2);
    expect(reply.elapsedMs).toBeLessThan(5_000);
  });

  it('fails with agent_unavailable when no base URL is configured', async () => {
    const provider = createOpenAiCompatibleProvider({});
    const reply = await collectStream(
      provider.stream({ settings: testSettings({ provider: 'openai-compatible' }), history, signal: new AbortController().signal }),
    );
    expect(reply.error).toMatchObject({ code: 'agent_unavailable' });
  });
});
