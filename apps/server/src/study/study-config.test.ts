import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentConfigStore, type AgentConfigStore } from '../agent/agent-config.ts';
import { parseSettingsFile } from './settings-file.ts';

const valid = {
  id: 'pilot-1',
  consent: { text: ['# Consent', '', 'You may stop at any time.'] },
  conditions: { control: {}, friendly: { systemPrompt: 'Be warm.', temperature: 0.7 }, local: { provider: 'openai-compatible', model: 'llama3.2', baseUrl: 'http://localhost:11434/v1' } },
  limits: { maxTurnsPerChat: 10, maxMinutes: 30, completionCode: 'C0DE', redirectUrl: 'https://app.prolific.com/submissions/complete?cc=C0DE' },
  permissions: { renameChats: false, multipleChats: false, showModelName: false },
};

const errorsOf = (study: unknown, agent: unknown = { provider: 'echo' }) => {
  const result = parseSettingsFile({ agent, study }, {});
  return result.ok ? [] : result.errors;
};

describe('the study section', () => {
  it('is optional: without it there is no study', () => {
    expect(parseSettingsFile({ agent: { provider: 'echo' } }, {})).toMatchObject({ ok: true, study: null });
  });

  it('resolves consent, conditions merged over the agent section, limits and permissions', () => {
    const result = parseSettingsFile({ agent: { provider: 'echo', systemPrompt: 'Base prompt.', maxTokens: 300 }, study: valid }, {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const study = result.study!;
    expect(study.consent).toMatchObject({ required: true, text: '# Consent\n\nYou may stop at any time.' });
    expect(study.consent.textSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(study.conditions.map((c) => c.name)).toEqual(['control', 'friendly', 'local']);
    expect(study.conditions[0]!.settings).toMatchObject({ provider: 'echo', systemPrompt: 'Base prompt.', temperature: 1, maxTokens: 300 });
    expect(study.conditions[1]!.settings).toMatchObject({ provider: 'echo', systemPrompt: 'Be warm.', temperature: 0.7, maxTokens: 300 });
    expect(study.conditions[2]!.settings).toMatchObject({ provider: 'openai-compatible', model: 'llama3.2', systemPrompt: 'Base prompt.' });
    expect(study.limits).toEqual({ maxTurnsPerChat: 10, maxMinutes: 30, closedMessage: expect.stringContaining('Thank you'), completionCode: 'C0DE', redirectUrl: valid.limits.redirectUrl });
    expect(study.permissions).toEqual({ renameChats: false, multipleChats: false, showModelName: false });
    expect(Object.isFrozen(study.conditions[1]!.settings)).toBe(true);
  });

  it('defaults to what Parley allows without a study, and to no consent without a text', () => {
    const result = parseSettingsFile({ study: { id: 's' } }, {});
    expect(result).toMatchObject({
      ok: true,
      study: { consent: { required: false, text: null }, conditions: [], permissions: { renameChats: true, multipleChats: true, showModelName: true } },
    });
  });

  it('ignores // comments at any depth', () => {
    const result = parseSettingsFile({ study: { '//': 'note', id: 's', limits: { '//maxTurnsPerChat': 'why', maxTurnsPerChat: 3 }, conditions: { a: { '//': 'x' } } } }, {});
    expect(result).toMatchObject({ ok: true, study: { limits: { maxTurnsPerChat: 3 } } });
  });

  it.each([
    [{ ...valid, id: undefined }, 'study.id: is required'],
    [{ ...valid, id: 'has space' }, 'study.id: must be 1 to 64 letters'],
    [{ ...valid, consent: { required: true } }, 'study.consent.text: required when consent.required is true'],
    [{ ...valid, consent: { required: 'yes', text: 'x' } }, 'study.consent.required: must be true or false'],
    [{ ...valid, conditions: { friendly: { temperature: 5 } } }, 'study.conditions.friendly.temperature: must be at most 2'],
    [{ ...valid, conditions: { friendly: { tempreature: 1 } } }, 'study.conditions.friendly: unknown field "tempreature"'],
    [{ ...valid, conditions: { cool: { provider: 'anthropic', temperature: 0.2 } } }, 'study.conditions.cool.temperature: the "anthropic" provider does not send temperature'],
    [{ ...valid, conditions: { local: { provider: 'openai-compatible' } } }, 'study.conditions.local.baseUrl: required when provider is "openai-compatible"'],
    [{ ...valid, conditions: { 'bad name!': {} } }, 'study.conditions: the condition name "bad name!" must be 1 to 64 letters'],
    [{ ...valid, limits: { maxTurnsPerChat: 0 } }, 'study.limits.maxTurnsPerChat: must be at least 1'],
    [{ ...valid, limits: { maxTurnsPerChat: 2.5 } }, 'study.limits.maxTurnsPerChat: must be a whole number'],
    [{ ...valid, limits: { maxMinutes: -1 } }, 'study.limits.maxMinutes: must be more than 0'],
    [{ ...valid, limits: { redirectUrl: 'javascript:alert(1)' } }, 'study.limits.redirectUrl: must be an http(s) URL'],
    [{ ...valid, permissions: { renameChat: false } }, 'study.permissions: unknown field "renameChat"'],
    [{ ...valid, extra: 1 }, 'study: unknown field "extra"'],
    ['pilot', 'study: must be an object'],
  ])('refuses an invalid section, naming the field: %#, %s', (study, message) => {
    expect(errorsOf(study).join('\n')).toContain(message);
  });

  it('reports errors of both sections at once', () => {
    expect(errorsOf({ id: 's', limits: { maxMinutes: 0 } }, { temperature: 9 })).toEqual([
      'agent.temperature: must be at most 2',
      'study.limits.maxMinutes: must be more than 0',
    ]);
  });
});

describe('the study in the hot-reloaded settings file', () => {
  let dir: string;
  let store: AgentConfigStore | undefined;
  afterEach(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the last good agent and study together when an edit breaks the study, naming the field', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-study-config-'));
    const file = path.join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify({ agent: { model: 'm1' }, study: { id: 'one', limits: { maxTurnsPerChat: 5 } } }));
    const errors: string[] = [];
    store = createAgentConfigStore({ path: file, env: {}, pollIntervalMs: 0, logger: { info: () => {}, warn: () => {}, error: (_o, msg) => errors.push(msg) } });
    expect(store.currentStudy()).toMatchObject({ id: 'one', limits: { maxTurnsPerChat: 5 } });
    const changes: (string | null)[] = [];
    store.onStudyChange((study) => changes.push(study?.id ?? null));

    writeFileSync(file, JSON.stringify({ agent: { model: 'm2' }, study: { id: 'two', limits: { maxTurnsPerChat: -1 } } }));
    const result = await store.reload();
    expect(result).toMatchObject({ ok: false, problem: 'invalid', errors: ['study.limits.maxTurnsPerChat: must be at least 1'] });
    expect(store.current().model).toBe('m1');
    expect(store.currentStudy()?.id).toBe('one');
    expect(errors.join()).toContain('keeping the last good configuration');

    writeFileSync(file, JSON.stringify({ agent: { model: 'm2' }, study: { id: 'two' } }));
    expect(await store.reload()).toMatchObject({ ok: true, changed: true, study: { id: 'two' } });
    writeFileSync(file, JSON.stringify({ agent: { model: 'm2' } }));
    await store.reload();
    expect(store.currentStudy()).toBeNull();
    expect(changes).toEqual(['two', null]);
  });
});

describe('apps/server/config/study.example.json', () => {
  it('is a valid two-condition study', async () => {
    const { readFileSync } = await import('node:fs');
    const example = JSON.parse(readFileSync(new URL('../../config/study.example.json', import.meta.url), 'utf8'));
    const result = parseSettingsFile(example, { anthropicApiKey: 'k' });
    expect(result).toMatchObject({ ok: true, warnings: [], study: { id: 'pilot-2026-05', consent: { required: true } } });
    expect(result.ok && result.study!.conditions.map((c) => c.name)).toEqual(['neutral', 'warm']);
  });
});
