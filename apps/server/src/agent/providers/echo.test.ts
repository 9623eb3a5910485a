import { describe, expect, it } from 'vitest';
import { collectStream, testSettings } from '../testing/collect-stream.ts';
import { createEchoProvider, echoReplyText, LONG_REPLY_MAX_TOKENS, parseLongCommand, wordPieces } from './echo.ts';
import type { ChatTurn } from './types.ts';

const history: ChatTurn[] = [
  { role: 'user', content: 'First question' },
  { role: 'assistant', content: 'First answer' },
  { role: 'user', content: 'What is **Parley**?' },
];

function request(overrides: { history?: ChatTurn[]; signal?: AbortSignal; echoDelayMs?: number; timeoutMs?: number } = {}) {
  return {
    settings: testSettings({ echoDelayMs: overrides.echoDelayMs ?? 0, timeoutMs: overrides.timeoutMs ?? 10_000 }),
    history: overrides.history ?? history,
    signal: overrides.signal ?? new AbortController().signal,
  };
}

describe('echo provider', () => {
  it('is marked simulated', () => {
    const provider = createEchoProvider();
    expect(provider.name).toBe('echo');
    expect(provider.simulated).toBe(true);
  });

  it('streams a deterministic, obviously simulated Markdown reply to the latest user message, word by word', async () => {
    const first = await collectStream(createEchoProvider().stream(request()));
    const second = await collectStream(createEchoProvider().stream(request()));
    expect(first.error).toBeUndefined();
    expect(first.text).toBe(echoReplyText('What is **Parley**?'));
    expect(first.text).toBe(second.text);
    expect(first.text).toMatch(/^\(Simulated agent\) You said: “What is \*\*Parley\*\*\?”/);
    expect(first.text).toContain('**simulated**');
    expect(first.textEvents).toBe(wordPieces(first.text).length);
    expect(first.textEvents).toBeGreaterThan(10);
    const usage = first.events.at(-1);
    expect(usage).toMatchObject({ type: 'usage', outputTokens: first.textEvents });
  });

  it('splits text into word pieces that join back to the exact text', () => {
    const text = '  a  b\n\nc d ';
    expect(wordPieces(text).join('')).toBe(text);
    expect(wordPieces(text)).toHaveLength(4);
  });

  it('streams exactly N tokens for `/long N`', async () => {
    const reply = await collectStream(createEchoProvider().stream(request({ history: [{ role: 'user', content: '/long 300' }] })));
    expect(reply.error).toBeUndefined();
    expect(reply.textEvents).toBe(300);
    expect(reply.text.startsWith('(Simulated)')).toBe(true);
    expect(parseLongCommand('/long 999999999')).toBe(LONG_REPLY_MAX_TOKENS);
    expect(parseLongCommand('tell me about /long 5')).toBeUndefined();
  });

  it('paces tokens by echoDelayMs and stops promptly, quietly, when aborted', async () => {
    const controller = new AbortController();
    const reply = await collectStream(
      createEchoProvider().stream(request({ history: [{ role: 'user', content: '/long 1000' }], signal: controller.signal, echoDelayMs: 20 })),
      (_event, index) => {
        if (index === 2) controller.abort();
      },
    );
    expect(reply.error).toBeUndefined();
    expect(reply.textEvents).toBe(3);
    // 1000 tokens at 20 ms would take 20 s; an abort honoured promptly ends in well under one.
    expect(reply.elapsedMs).toBeLessThan(5_000);
  });

  it('ends immediately when the signal is already aborted', async () => {
    const reply = await collectStream(createEchoProvider().stream(request({ signal: AbortSignal.abort() })));
    expect(reply.events).toEqual([]);
    expect(reply.error).toBeUndefined();
  });

  it('turns a silence longer than the timeout into agent_timeout', async () => {
    const reply = await collectStream(
      createEchoProvider().stream(request({ history: [{ role: 'user', content: '/long 1000' }], echoDelayMs: 2000, timeoutMs: 300 })),
    );
    expect(reply.error).toMatchObject({ name: 'ProviderError', code: 'agent_timeout' });
    // The first token comes at once; the second would come after 2 s of silence.
    expect(reply.textEvents).toBe(1);
  });

  it('lets a reply that keeps streaming run longer than the timeout', async () => {
    const reply = await collectStream(
      createEchoProvider().stream(request({ history: [{ role: 'user', content: '/long 40' }], echoDelayMs: 50, timeoutMs: 1000 })),
    );
    // About 2 s in all, twice the timeout, and never more than 50 ms between tokens.
    expect(reply.error).toBeUndefined();
    expect(reply.textEvents).toBe(40);
  });
});
