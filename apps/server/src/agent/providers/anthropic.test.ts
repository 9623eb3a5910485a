import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { collectStream, testSettings } from '../testing/collect-stream.ts';
import { startFakeAnthropic, type FakeLlmScript, type FakeLlmServer } from '../testing/fake-anthropic.ts';
import { createAnthropicProvider } from './anthropic.ts';
import type { AgentSettings, ChatTurn } from './types.ts';

const API_KEY = 'sk-ant-test-DO-NOT-LEAK-4242';
const history: ChatTurn[] = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: 'Tell me a joke' },
];

let fake: FakeLlmServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function run(script: FakeLlmScript, settings: Partial<AgentSettings> = {}, signal = new AbortController().signal, onEvent?: Parameters<typeof collectStream>[1]) {
  fake ??= await startFakeAnthropic(script);
  const provider = createAnthropicProvider({ apiKey: API_KEY });
  return collectStream(
    provider.stream({ settings: testSettings({ provider: 'anthropic', model: 'claude-test', baseUrl: fake.url, ...settings }), history, signal }),
    onEvent,
  );
}

function expectNoKeyLeak(error: unknown) {
  expect(String(error)).not.toContain(API_KEY);
  expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
  expect((error as { userMessage?: string }).userMessage ?? '').not.toContain(API_KEY);
  expect(JSON.stringify(error)).not.toContain(API_KEY);
}

describe('anthropic provider against a fake Messages API', () => {
  it('streams the reply and reports usage', async () => {
    const reply = await run({ tokens: ['Why', ' did', ' the', ' chicken…'], usage: { inputTokens: 42, outputTokens: 7 } });
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('Why did the chicken…');
    expect(reply.textEvents).toBe(4);
    expect(reply.events.at(-1)).toEqual({ type: 'usage', inputTokens: 42, outputTokens: 7, stopReason: 'end_turn' });
  });

  it('uses ANTHROPIC_BASE_URL (through the config) when the agent file names no baseUrl', async () => {
    fake = await startFakeAnthropic({ tokens: ['via', ' the', ' gateway'] });
    const provider = createAnthropicProvider({ apiKey: API_KEY, baseUrl: fake.url });
    const reply = await collectStream(provider.stream({ settings: testSettings({ provider: 'anthropic', model: 'claude-test' }), history, signal: new AbortController().signal }));
    expect(reply.text).toBe('via the gateway');
    expect(fake.requests).toHaveLength(1);
  });

  it('sends the model, max_tokens, system prompt, history and key, and no temperature', async () => {
    await run({}, { systemPrompt: 'Be brief.', maxTokens: 77, temperature: 0.3 });
    const request = fake!.lastRequest!;
    expect(request.path).toBe('/v1/messages');
    expect(request.body).toMatchObject({ model: 'claude-test', max_tokens: 77, system: 'Be brief.', stream: true, messages: history });
    expect(request.body).not.toHaveProperty('temperature');
    const auth = `${request.headers['authorization'] ?? ''} ${request.headers['x-api-key'] ?? ''}`;
    expect(auth).toContain(API_KEY);
  });

  it('retries 429 a bounded number of times, then fails with agent_rate_limited', async () => {
    const reply = await run({ failStatus: 429 }, { maxRetries: 2 });
    expect(reply.error).toMatchObject({ name: 'ProviderError', code: 'agent_rate_limited', status: 429 });
    expect(fake!.requests).toHaveLength(3);
    expectNoKeyLeak(reply.error);
  });

  it('recovers when a retry succeeds', async () => {
    const reply = await run({ failStatus: 529, failTimes: 1 }, { maxRetries: 2 });
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('Hello from the fake model.');
    expect(fake!.requests).toHaveLength(2);
  });

  it.each([
    [500, 'agent_unavailable'],
    [529, 'agent_unavailable'],
    [401, 'agent_failed'],
    [400, 'agent_failed'],
  ])('maps HTTP %i to %s', async (status, code) => {
    const reply = await run({ failStatus: status });
    expect(reply.error).toMatchObject({ code, status });
    expect(fake!.requests).toHaveLength(1);
    expectNoKeyLeak(reply.error);
  });

  it('turns an SSE error event after some text into a ProviderError', async () => {
    const reply = await run({ streamErrorAfterTokens: 2, errorType: 'overloaded_error' });
    expect(reply.text).toBe('Hello from');
    expect(reply.error).toMatchObject({ code: 'agent_unavailable' });
    expectNoKeyLeak(reply.error);
  });

  it('treats a connection dropped mid-stream as agent_failed, not as a complete reply', async () => {
    const reply = await run({ dropAfterTokens: 2 });
    expect(reply.text).toBe('Hello from');
    expect(reply.error).toMatchObject({ code: 'agent_failed' });
  });

  it('reports agent_unavailable when nothing listens', async () => {
    const closed = await startFakeAnthropic();
    await closed.close();
    const provider = createAnthropicProvider({ apiKey: API_KEY });
    const reply = await collectStream(
      provider.stream({ settings: testSettings({ provider: 'anthropic', baseUrl: closed.url }), history, signal: new AbortController().signal }),
    );
    expect(reply.error).toMatchObject({ code: 'agent_unavailable' });
    expectNoKeyLeak(reply.error);
  });

  it('times out a server that never answers with agent_timeout', async () => {
    const reply = await run({ hang: 'before-headers' }, { timeoutMs: 300 });
    expect(reply.error).toMatchObject({ code: 'agent_timeout', userMessage: 'The agent took too long to answer. Please try again.' });
    expect(reply.elapsedMs).toBeLessThan(10_000);
    expectNoKeyLeak(reply.error);
  });

  it('times out a stream that stalls after some tokens', async () => {
    const reply = await run({ hang: { afterTokens: 2 } }, { timeoutMs: 300 });
    expect(reply.text).toBe('Hello from');
    expect(reply.error).toMatchObject({ code: 'agent_timeout' });
  });

  it('ends quietly and promptly when the caller aborts mid-stream', async () => {
    const controller = new AbortController();
    const tokens = Array.from({ length: 200 }, (_, i) => `t${i} `);
    const reply = await run({ tokens, tokenDelayMs: 50 }, {}, controller.signal, (_event, index) => {
      if (index === 1) controller.abort();
    });
    expect(reply.error).toBeUndefined();
    expect(reply.textEvents).toBe(2);
    // The full stream would take 10 s.
    expect(reply.elapsedMs).toBeLessThan(5_000);
  });

  it('ends quietly when the caller aborts while waiting for the first token', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const reply = await run({ hang: 'before-headers' }, { timeoutMs: 20_000 }, controller.signal);
    expect(reply.error).toBeUndefined();
    expect(reply.events).toEqual([]);
    expect(reply.elapsedMs).toBeLessThan(5_000);
  });
});
