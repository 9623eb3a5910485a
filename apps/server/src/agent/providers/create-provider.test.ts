import { describe, expect, it } from 'vitest';
import { collectStream, testSettings } from '../testing/collect-stream.ts';
import { createProvider } from './create-provider.ts';

describe('createProvider', () => {
  it('builds the provider the settings name', () => {
    expect(createProvider(testSettings({ provider: 'echo' }), {})).toMatchObject({ name: 'echo', simulated: true });
    expect(createProvider(testSettings({ provider: 'anthropic' }), { anthropicApiKey: 'k' })).toMatchObject({ name: 'anthropic', simulated: false });
    expect(createProvider(testSettings({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1' }), {})).toMatchObject({
      name: 'openai-compatible',
      simulated: false,
    });
  });

  it('never falls back to the simulated agent: anthropic without a key fails each reply with agent_unavailable', async () => {
    const provider = createProvider(testSettings({ provider: 'anthropic' }), {});
    expect(provider).toMatchObject({ name: 'anthropic', simulated: false });
    const reply = await collectStream(provider.stream({ settings: testSettings({ provider: 'anthropic' }), history: [], signal: new AbortController().signal }));
    expect(reply.error).toMatchObject({ code: 'agent_unavailable', userMessage: 'The agent is not available right now. Please try again later.' });
  });
});
