import type { AgentSettings, ProviderEvent } from '../providers/types.ts';

/** Everything one reply produced: for tests and benchmarks. */
export interface CollectedReply {
  text: string;
  textEvents: number;
  events: ProviderEvent[];
  /** What the stream threw, if it threw. */
  error?: unknown;
  elapsedMs: number;
}

/**
 * Drains a provider stream without throwing. `onEvent` runs after each event, e.g. to
 * abort the request after the first token.
 */
export async function collectStream(stream: AsyncIterable<ProviderEvent>, onEvent?: (event: ProviderEvent, index: number) => void): Promise<CollectedReply> {
  const started = performance.now();
  const events: ProviderEvent[] = [];
  let error: unknown;
  try {
    for await (const event of stream) {
      events.push(event);
      onEvent?.(event, events.length - 1);
    }
  } catch (caught) {
    error = caught;
  }
  const texts = events.flatMap((event) => (event.type === 'text' ? [event.text] : []));
  return { text: texts.join(''), textEvents: texts.length, events, error, elapsedMs: performance.now() - started };
}

/** Settings for provider tests: fast, no retries, short timeout unless overridden. */
export function testSettings(overrides: Partial<AgentSettings> = {}): AgentSettings {
  return {
    provider: 'echo',
    model: 'test-model',
    systemPrompt: 'You are a test assistant.',
    temperature: 1,
    maxTokens: 256,
    timeoutMs: 10_000,
    maxRetries: 0,
    echoDelayMs: 0,
    contextChars: 48_000,
    ...overrides,
  };
}
