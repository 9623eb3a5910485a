import { mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAgentConfigStore, type AgentConfigStore, type ConfigLogger } from './agent-config.ts';
import { parseAgentConfig } from './agent-settings.ts';

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

function recordingLogger(): ConfigLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

let dir: string;
let file: string;
let store: AgentConfigStore | undefined;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-agent-config-'));
  file = path.join(dir, 'agent.json');
  logger = recordingLogger();
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function open(env: { anthropicApiKey?: string } = {}) {
  // Polling off: tests drive reload() directly, or prove the directory watcher on its own.
  store = createAgentConfigStore({ path: file, logger, env, pollIntervalMs: 0 });
  return store;
}

/** Writes like an editor that saves atomically: a temporary file renamed over the target. */
function writeAtomically(content: unknown) {
  const temp = path.join(dir, `.agent.json.${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(temp, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  renameSync(temp, file);
}

describe('agent config defaults', () => {
  it('is the simulated echo agent without an Anthropic key', () => {
    const settings = open().current();
    expect(settings).toMatchObject({ provider: 'echo', model: 'echo', temperature: 1, maxTokens: 1024, timeoutMs: 120_000, maxRetries: 2 });
    expect(settings.systemPrompt).toBe('You are a helpful assistant.');
    expect(store!.lastResult()).toMatchObject({ ok: true, source: 'defaults' });
    expect(logger.lines.some((line) => line.level === 'info' && line.msg.includes('using the defaults'))).toBe(true);
  });

  it('is Claude with an Anthropic key', () => {
    expect(open({ anthropicApiKey: 'k' }).current()).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      temperature: 1,
      maxTokens: 1024,
      timeoutMs: 120_000,
      systemPrompt: 'You are a helpful assistant.',
    });
  });

  it('hands out frozen settings', () => {
    expect(Object.isFrozen(open().current())).toBe(true);
  });
});

describe('agent config file', () => {
  it('merges a valid file over the defaults, joining prompt lines and ignoring // comments', () => {
    writeFileSync(
      file,
      JSON.stringify({
        '//': 'comment',
        agent: { '//model': 'comment', provider: 'openai-compatible', model: 'llama3.2', baseUrl: 'http://localhost:11434/v1', systemPrompt: ['Line one.', 'Line two.'], temperature: 0.4 },
      }),
    );
    const settings = open().current();
    expect(settings).toEqual({
      provider: 'openai-compatible',
      model: 'llama3.2',
      baseUrl: 'http://localhost:11434/v1',
      systemPrompt: 'Line one.\nLine two.',
      temperature: 0.4,
      maxTokens: 1024,
      timeoutMs: 120_000,
      maxRetries: 2,
      contextChars: 48_000,
      echoDelayMs: 25,
    });
    expect(store!.lastResult()).toMatchObject({ ok: true, source: 'file' });
  });

  it('starts on the defaults when the file is invalid, and says so', () => {
    writeFileSync(file, JSON.stringify({ agent: { temperature: 7 } }));
    const settings = open().current();
    expect(settings.provider).toBe('echo');
    expect(store!.lastResult()).toMatchObject({ ok: false, problem: 'invalid', errors: ['agent.temperature: must be at most 2'] });
    expect(logger.lines.find((line) => line.level === 'error')?.msg).toContain('agent.temperature: must be at most 2');
  });

  it('keeps the last good settings when the file becomes invalid, naming the field and why', async () => {
    writeFileSync(file, JSON.stringify({ agent: { model: 'good-model' } }));
    open();
    expect(store!.current().model).toBe('good-model');

    writeFileSync(file, JSON.stringify({ agent: { model: 'bad-model', maxTokens: 'lots', tempreature: 1 } }));
    const result = await store!.reload();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toBe('invalid');
    expect(result.errors).toEqual(['agent.maxTokens: must be a whole number', 'agent: unknown field "tempreature"']);
    expect(store!.current().model).toBe('good-model');
    const error = logger.lines.find((line) => line.level === 'error');
    expect(error?.msg).toContain('agent.maxTokens');
    expect(error?.msg).toContain('keeping the last good configuration');
  });

  it('reports broken JSON with a line and column', async () => {
    open();
    writeFileSync(file, '{\n  "agent": {\n    "model": "x",\n  }\n}');
    const result = await store!.reload();
    expect(result).toMatchObject({ ok: false, problem: 'invalid' });
    expect(!result.ok && result.errors[0]).toMatch(/^not valid JSON at line 4, column \d+/);
  });

  it('requires baseUrl and model for openai-compatible', () => {
    expect(parseAgentConfig({ agent: { provider: 'openai-compatible' } }, {})).toEqual({
      ok: false,
      errors: [
        'agent.baseUrl: required when provider is "openai-compatible", e.g. "http://localhost:11434/v1"',
        'agent.model: required when provider is "openai-compatible", e.g. "llama3.2"',
      ],
    });
    expect(parseAgentConfig({ agent: { provider: 'openai-compatible', model: 'm', baseUrl: 'localhost:11434' } }, {})).toMatchObject({
      ok: false,
      errors: ['agent.baseUrl: must be an http(s) URL, e.g. "http://localhost:11434/v1"'],
    });
  });

  it('rejects unknown top-level keys (conditions are not supported yet) and non-objects', () => {
    expect(parseAgentConfig({ conditions: {} }, {})).toMatchObject({ ok: false, errors: [expect.stringContaining('(top level): unknown field "conditions"')] });
    expect(parseAgentConfig([], {})).toMatchObject({ ok: false, errors: [expect.stringContaining('must hold a JSON object')] });
  });

  it('warns when anthropic is chosen without a key, or with a temperature it cannot send', () => {
    const result = parseAgentConfig({ agent: { provider: 'anthropic', temperature: 0.2 } }, {});
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toEqual([expect.stringContaining('ANTHROPIC_API_KEY is not set'), expect.stringContaining('temperature is ignored')]);
  });

  it('keeps the last good settings when the file is deleted', async () => {
    writeFileSync(file, JSON.stringify({ agent: { model: 'kept' } }));
    open();
    unlinkSync(file);
    const result = await store!.reload();
    expect(result).toMatchObject({ ok: false, problem: 'missing' });
    expect(store!.current().model).toBe('kept');
  });

  it('notifies listeners once per real change, with the previous settings', async () => {
    open();
    const changes: Array<[string, string]> = [];
    const unsubscribe = store!.onChange((next, previous) => changes.push([previous.model, next.model]));
    writeFileSync(file, JSON.stringify({ agent: { model: 'one' } }));
    expect(await store!.reload()).toMatchObject({ ok: true, changed: true });
    expect(await store!.reload()).toMatchObject({ ok: true, changed: false });
    writeFileSync(file, JSON.stringify({ agent: { model: 'one' } }, null, 4)); // same settings, different bytes
    expect(await store!.reload()).toMatchObject({ ok: true, changed: false });
    unsubscribe();
    writeFileSync(file, JSON.stringify({ agent: { model: 'two' } }));
    await store!.reload();
    expect(changes).toEqual([['echo', 'one']]);
    expect(store!.current().model).toBe('two');
  });

  it('picks up a file created later and then replaced atomically, through the directory watcher', async () => {
    open();
    expect(store!.current().provider).toBe('echo');
    writeAtomically({ agent: { model: 'watched-1' } });
    await vi.waitFor(() => expect(store!.current().model).toBe('watched-1'), { timeout: 5_000, interval: 25 });
    writeAtomically({ agent: { model: 'watched-2' } });
    await vi.waitFor(() => expect(store!.current().model).toBe('watched-2'), { timeout: 5_000, interval: 25 });
  });

  it('ships a valid example file', () => {
    const example = fileURLToPath(new URL('../../config/agent.example.json', import.meta.url));
    const result = parseAgentConfig(JSON.parse(readFileSync(example, 'utf8')), { anthropicApiKey: 'k' });
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });
});
