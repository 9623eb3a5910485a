import { createAnthropicProvider } from './anthropic.ts';
import { createEchoProvider } from './echo.ts';
import { createOpenAiCompatibleProvider } from './openai-compatible.ts';
import { providerError, type AgentProvider, type AgentSettings, type ProviderEvent, type ProviderName } from './types.ts';

/** Credentials, read from the environment by the composition root and handed in; providers never read process.env. */
export interface ProviderSecrets {
  anthropicApiKey?: string;
  /** ANTHROPIC_BASE_URL: used when the agent file names no `baseUrl`. */
  anthropicBaseUrl?: string;
  openaiApiKey?: string;
}

/**
 * The provider for `settings.provider`. Cheap enough to call per reply (SDK clients are
 * created per stream and open no sockets until then), which is also what makes
 * hot-reloaded settings take effect on the next reply.
 *
 * A provider that cannot work (anthropic without an API key) is still returned, and its
 * stream fails with `agent_unavailable`: the runner has one failure path, and a study never
 * silently falls back to the simulated agent.
 */
export function createProvider(settings: AgentSettings, secrets: ProviderSecrets): AgentProvider {
  switch (settings.provider) {
    case 'echo':
      return createEchoProvider();
    case 'anthropic':
      return secrets.anthropicApiKey ? createAnthropicProvider({ apiKey: secrets.anthropicApiKey, baseUrl: secrets.anthropicBaseUrl }) : createUnavailableProvider('anthropic');
    case 'openai-compatible':
      return createOpenAiCompatibleProvider({ apiKey: secrets.openaiApiKey });
    default: {
      const unknown: never = settings.provider;
      throw new Error(`unknown agent provider: ${String(unknown)}`);
    }
  }
}

function createUnavailableProvider(name: ProviderName): AgentProvider {
  return {
    name,
    simulated: false,
    async *stream(request): AsyncGenerator<ProviderEvent> {
      if (request.signal.aborted) return;
      throw providerError('agent_unavailable', { cause: new Error(`the ${name} provider has no API key configured`) });
    },
  };
}
