import { parseAgentConfig, stripComments, type AgentConfigEnv } from '../agent/agent-settings.ts';
import type { AgentSettings } from '../agent/providers/types.ts';
import { parseStudySection, type StudyConfig } from './study-config.ts';

export type SettingsFileResult =
  | { ok: true; settings: AgentSettings; study: StudyConfig | null; warnings: string[] }
  | { ok: false; errors: string[] };

/**
 * The whole settings file: the `agent` section and the `study` section, validated together so
 * that a file is applied whole or not at all (an invalid study keeps the last good agent too).
 */
export function parseSettingsFile(raw: unknown, env: AgentConfigEnv): SettingsFileResult {
  const agent = parseAgentConfig(raw, env);
  const stripped = stripComments(raw) as { study?: unknown } | null;
  const sectionRaw = typeof stripped === 'object' && stripped !== null ? stripped.study : undefined;
  const study = parseStudySection(sectionRaw, agent.ok ? (agent.fields ?? {}) : {}, env);
  // Both sections' errors at once, so one edit can fix everything.
  if (!agent.ok) return { ok: false, errors: [...agent.errors, ...(study.ok ? [] : study.errors)] };
  if (!study.ok) return study;
  return { ok: true, settings: agent.settings, study: study.study, warnings: [...agent.warnings, ...study.warnings] };
}
