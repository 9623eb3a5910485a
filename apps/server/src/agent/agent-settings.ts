import { z } from 'zod';
import { DEFAULT_CONTEXT_CHARS } from './history.ts';
import { ECHO_DEFAULT_DELAY_MS } from './providers/echo.ts';
import type { AgentSettings, ProviderName } from './providers/types.ts';

/**
 * The agent settings file: its schema, its defaults, and how the two combine.
 *
 * File shape: `{ "agent": { ...fields, all optional }, "study": { ... } }`. The `study` section
 * (consent, conditions that vary these settings, limits; see study/study-config.ts) is validated
 * by its own parser together with this one (study/settings-file.ts); any other top-level key is an
 * error. Keys starting with "//" are comments and ignored at every level, since JSON has no
 * comment syntax.
 */

export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-5-5';
export const ECHO_MODEL = 'echo';

/** What the server knows about its secrets; only their presence matters here. */
export interface AgentConfigEnv {
  anthropicApiKey?: string;
}

const providerNames = ['echo', 'anthropic', 'openai-compatible'] as const satisfies readonly ProviderName[];

export const agentFieldsSchema = z.strictObject({
  provider: z.enum(providerNames, { error: `must be one of ${providerNames.map((name) => `"${name}"`).join(', ')}` }).optional(),
  model: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).optional(),
  // An array is joined with newlines: long prompts stay readable in JSON.
  systemPrompt: z
    .union([z.string(), z.array(z.string())], { error: 'must be a string or an array of lines (strings)' })
    .transform((value) => (Array.isArray(value) ? value.join('\n') : value))
    .optional(),
  temperature: z.number({ error: 'must be a number' }).min(0, { error: 'must be at least 0' }).max(2, { error: 'must be at most 2' }).optional(),
  maxTokens: z.int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(200_000, { error: 'must be at most 200000' }).optional(),
  timeoutMs: z.int({ error: 'must be a whole number of milliseconds' }).min(100, { error: 'must be at least 100' }).max(3_600_000, { error: 'must be at most 3600000 (one hour)' }).optional(),
  maxRetries: z.int({ error: 'must be a whole number' }).min(0, { error: 'must be at least 0' }).max(10, { error: 'must be at most 10' }).optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. "http://localhost:11434/v1"' }).optional(),
  echoDelayMs: z.int({ error: 'must be a whole number of milliseconds' }).min(0, { error: 'must be at least 0' }).max(10_000, { error: 'must be at most 10000' }).optional(),
  contextChars: z.int({ error: 'must be a whole number' }).min(1_000, { error: 'must be at least 1000' }).max(4_000_000, { error: 'must be at most 4000000' }).optional(),
});

export type AgentFields = z.infer<typeof agentFieldsSchema>;

export const agentConfigFileSchema = z.strictObject({
  agent: agentFieldsSchema.optional(),
  /** Checked by study/study-config.ts, which reads the conditions against `agent`. */
  study: z.unknown().optional(),
});
export type AgentConfigFile = z.infer<typeof agentConfigFileSchema>;

export type ResolveResult =
  | { ok: true; settings: AgentSettings; warnings: string[] }
  | { ok: false; errors: string[] };

/** The settings in force when there is no file: echo without an Anthropic key, Claude with one. */
export function defaultAgentSettings(env: AgentConfigEnv): AgentSettings {
  return resolveAgentSettings({}, env).settings;
}

/**
 * Validates a parsed config file's `agent` section and merges it over the defaults. Errors name
 * the field (`agent.temperature: must be at most 2`); warnings flag settings that are valid but
 * will not do what the researcher may expect. The `study` section is left to its own parser.
 */
export function parseAgentConfig(raw: unknown, env: AgentConfigEnv): ResolveResult & { fields?: AgentFields } {
  const parsed = agentConfigFileSchema.safeParse(stripComments(raw));
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map(describeIssue) };
  const fields = parsed.data.agent ?? {};
  const resolved = resolveAgentFields(fields, env, 'agent');
  return resolved.ok ? { ...resolved, fields } : resolved;
}

/**
 * Checks one complete set of agent fields (the `agent` section, or a study condition merged over
 * it) and resolves it against the defaults. `where` prefixes every message: `agent`,
 * `study.conditions.friendly`.
 */
export function resolveAgentFields(fields: AgentFields, env: AgentConfigEnv, where: string): ResolveResult {
  const errors: string[] = [];
  const provider = fields.provider ?? (env.anthropicApiKey ? 'anthropic' : 'echo');
  if (provider === 'openai-compatible') {
    if (!fields.baseUrl) errors.push(`${where}.baseUrl: required when provider is "openai-compatible", e.g. "http://localhost:11434/v1"`);
    if (!fields.model) errors.push(`${where}.model: required when provider is "openai-compatible", e.g. "llama3.2"`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return resolveAgentSettings(fields, env, where);
}

function resolveAgentSettings(fields: AgentFields, env: AgentConfigEnv, where = 'agent'): { ok: true; settings: AgentSettings; warnings: string[] } {
  const provider = fields.provider ?? (env.anthropicApiKey ? 'anthropic' : 'echo');
  const warnings: string[] = [];
  if (provider === 'anthropic' && !env.anthropicApiKey) {
    warnings.push(`${where}.provider is "anthropic" but ANTHROPIC_API_KEY is not set: every reply will fail with agent_unavailable`);
  }
  if (provider === 'anthropic' && fields.temperature !== undefined && fields.temperature !== 1) {
    warnings.push(`${where}.temperature is ignored by the "anthropic" provider: the Messages API version used rejects sampling parameters`);
  }
  // Built field by field, in a fixed order, so two equal configurations serialize identically.
  const settings: AgentSettings = {
    provider,
    model: fields.model ?? (provider === 'echo' ? ECHO_MODEL : DEFAULT_ANTHROPIC_MODEL),
    systemPrompt: fields.systemPrompt ?? 'You are a helpful assistant.',
    temperature: fields.temperature ?? 1,
    maxTokens: fields.maxTokens ?? 1024,
    timeoutMs: fields.timeoutMs ?? 120_000,
    maxRetries: fields.maxRetries ?? 2,
    contextChars: fields.contextChars ?? DEFAULT_CONTEXT_CHARS,
    echoDelayMs: fields.echoDelayMs ?? ECHO_DEFAULT_DELAY_MS,
    ...(fields.baseUrl !== undefined ? { baseUrl: fields.baseUrl } : {}),
  };
  return { ok: true, settings: Object.freeze(settings), warnings };
}

/** Drops "//"-prefixed keys (comments) from every object, at any depth. */
export function stripComments(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw.map(stripComments);
  if (!isPlainObject(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('//')).map(([key, value]) => [key, stripComments(value)]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const hint = issue.path.length === 0 ? ' (the file holds one object: { "agent": { … } })' : '';
    return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}${hint}`;
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0) return '(top level): the file must hold a JSON object: { "agent": { … } }';
  if (issue.code === 'invalid_type' && issue.path.join('.') === 'agent') return 'agent: must be an object of settings';
  return `${where}: ${issue.message}`;
}

/** Turns JSON.parse's "at position N" into a line and column a researcher can find. */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  if (!match) return `not valid JSON: ${message}`;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
}
