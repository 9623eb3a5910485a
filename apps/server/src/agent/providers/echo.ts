import { setImmediate as nextTick, setTimeout as sleep } from 'node:timers/promises';
import { guardedStream } from './guarded-stream.ts';
import { providerError, type AgentProvider, type ChatTurn, type ProviderEvent } from './types.ts';

/**
 * The built-in simulated agent: Parley's default when no model is configured, and the
 * agent of every end-to-end test and benchmark. Its reply is deterministic (a function of
 * the latest user message only) and says plainly that it is simulated, so nobody mistakes
 * it for a model in a study.
 *
 * Commands, for tests and benchmarks, in the latest user message:
 * - `/long N` streams exactly N text events (word-sized tokens, a paragraph break every 50),
 *   N capped at LONG_REPLY_MAX_TOKENS.
 */
export const ECHO_DEFAULT_DELAY_MS = 25;
export const LONG_REPLY_MAX_TOKENS = 100_000;
/** How much of the participant's message is quoted back. */
const QUOTE_MAX_CHARS = 500;
/** With no delay, still let the event loop breathe this often so a long reply cannot starve the server. */
const YIELD_EVERY_TOKENS = 64;

const LONG_WORDS = ['Parley', 'streams', 'this', 'simulated', 'reply', 'one', 'word', 'at', 'a', 'time', 'so', 'tests', 'can', 'measure', 'it.'];

/** The full text the echo agent replies to `userText`. Exported for tests. */
export function echoReplyText(userText: string | undefined): string {
  const quoted = (userText ?? '').trim().replace(/\s+/g, ' ');
  const said = quoted.length === 0
    ? 'Hello! Send a message and I will echo it.'
    : `You said: “${quoted.length > QUOTE_MAX_CHARS ? `${quoted.slice(0, QUOTE_MAX_CHARS)}…` : quoted}”`;
  return [
    `(Simulated agent) ${said}`,
    '',
    'This reply is **simulated**: no language model was called. To chat with a real model, set `provider` in the agent configuration file.',
    '',
    '- It streams word by word, like a real model.',
    '- Its text is always the same for the same message.',
  ].join('\n');
}

/** Splits text into word-sized pieces that concatenate back to exactly the text. */
export function wordPieces(text: string): string[] {
  return text.match(/\s*\S+\s*|\s+/g) ?? [];
}

/** `/long N` → N (capped); anything else → undefined. */
export function parseLongCommand(userText: string | undefined): number | undefined {
  const match = /^\s*\/long\s+(\d+)\b/.exec(userText ?? '');
  if (!match) return undefined;
  return Math.min(Number(match[1]), LONG_REPLY_MAX_TOKENS);
}

function* longReplyPieces(count: number): Generator<string> {
  for (let i = 0; i < count; i++) {
    const word = i === 0 ? '(Simulated)' : LONG_WORDS[i % LONG_WORDS.length];
    yield (i + 1) % 50 === 0 ? `${word}\n\n` : `${word} `;
  }
}

function latestUserText(history: ChatTurn[]): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i];
    if (turn?.role === 'user') return turn.content;
  }
  return undefined;
}

/** About 4 characters per token: only to give the usage event plausible numbers. */
function approxTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function createEchoProvider(): AgentProvider {
  return {
    name: 'echo',
    simulated: true,
    stream(request) {
      const delayMs = request.settings.echoDelayMs ?? ECHO_DEFAULT_DELAY_MS;
      const userText = latestUserText(request.history);
      const longCount = parseLongCommand(userText);
      const pieces: Iterable<string> = longCount === undefined ? wordPieces(echoReplyText(userText)) : longReplyPieces(longCount);
      const inputChars = request.history.reduce((sum, turn) => sum + turn.content.length, request.settings.systemPrompt.length);

      async function* produce(signal: AbortSignal): AsyncGenerator<ProviderEvent> {
        let sent = 0;
        for (const text of pieces) {
          if (sent > 0) {
            // Rejects with an AbortError on abort; guardedStream turns that into a quiet end or agent_timeout.
            if (delayMs > 0) await sleep(delayMs, undefined, { signal });
            else if (sent % YIELD_EVERY_TOKENS === 0) await nextTick(undefined, { signal });
          }
          yield { type: 'text', text };
          sent++;
        }
        yield { type: 'usage', inputTokens: approxTokens(inputChars), outputTokens: sent, stopReason: 'end_turn' };
      }

      // The echo agent has no failure of its own; anything thrown is a bug, reported as agent_failed.
      return guardedStream(request, produce, (cause) => providerError('agent_failed', { cause }));
    },
  };
}
