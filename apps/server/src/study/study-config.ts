import { createHash } from 'node:crypto';
import { z } from 'zod';
import { agentFieldsSchema, describeIssue, resolveAgentFields, type AgentConfigEnv, type AgentFields } from '../agent/agent-settings.ts';
import type { AgentSettings } from '../agent/providers/types.ts';

/**
 * The `study` section of the settings file (the same hot-reloaded file as `agent`):
 *
 *   "study": {
 *     "id": "pilot-1",
 *     "consent": { "required": true, "text": ["# Consent", "…"] },
 *     "conditions": { "control": {}, "friendly": { "systemPrompt": "…", "temperature": 0.7 } },
 *     "limits": { "maxTurnsPerChat": 10, "maxMinutes": 30, "closedMessage": "…", "completionCode": "C0DE", "redirectUrl": "https://…" },
 *     "permissions": { "renameChats": false, "multipleChats": false, "showModelName": false }
 *   }
 *
 * A condition holds agent fields merged over the `agent` section. Without a `study` section
 * Parley behaves as without studies: no consent gate, no conditions, no limits.
 */

export const DEFAULT_CLOSED_MESSAGE = 'This conversation has ended. Thank you for taking part.';
export const MAX_CONDITIONS = 26;

export interface StudyCondition {
  name: string;
  /** The `agent` section with this condition's fields merged over it, resolved like it. */
  settings: AgentSettings;
}

export interface StudyConfig {
  id: string;
  consent: {
    required: boolean;
    /** Markdown, or null when the study shows none. */
    text: string | null;
    /** sha256 of the text, stored with each decision. */
    textSha256: string | null;
  };
  /** In the order of the file; empty when the study has no conditions. */
  conditions: StudyCondition[];
  limits: {
    maxTurnsPerChat: number | null;
    maxMinutes: number | null;
    closedMessage: string;
    completionCode: string | null;
    redirectUrl: string | null;
  };
  permissions: { renameChats: boolean; multipleChats: boolean; showModelName: boolean };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const nameRule = 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit';

// An array of lines is joined with newlines, like the system prompt: long texts stay readable in JSON.
const text = (max: number) =>
  z
    .union([z.string(), z.array(z.string())], { error: 'must be a string or an array of lines (strings)' })
    .transform((value) => (Array.isArray(value) ? value.join('\n') : value))
    .refine((value) => value.length <= max, { error: `must be at most ${max} characters` });

const studySectionSchema = z.strictObject(
  {
    id: z.string({ error: 'is required: a name for this study, stored with every participant' }).regex(NAME, { error: nameRule }),
    consent: z
      .strictObject({
        required: z.boolean({ error: 'must be true or false' }).optional(),
        text: text(50_000).optional(),
      })
      .optional(),
    conditions: z
      .record(z.string(), agentFieldsSchema, {
        error: 'must be an object of named conditions, e.g. { "control": {}, "friendly": { "temperature": 0.7 } }',
      })
      .optional(),
    limits: z
      .strictObject({
        maxTurnsPerChat: z.int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(10_000, { error: 'must be at most 10000' }).optional(),
        maxMinutes: z.number({ error: 'must be a number of minutes' }).positive({ error: 'must be more than 0' }).max(10_080, { error: 'must be at most 10080 (a week)' }).optional(),
        closedMessage: text(5_000).optional(),
        completionCode: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' }).optional(),
        redirectUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. "https://app.prolific.com/submissions/complete?cc=C0DE"' }).optional(),
      })
      .optional(),
    permissions: z
      .strictObject({
        renameChats: z.boolean({ error: 'must be true or false' }).optional(),
        multipleChats: z.boolean({ error: 'must be true or false' }).optional(),
        showModelName: z.boolean({ error: 'must be true or false' }).optional(),
      })
      .optional(),
  },
  { error: 'must be an object: { "id": "…", "consent": {…}, "conditions": {…}, "limits": {…}, "permissions": {…} }' },
);

export type StudyParseResult = { ok: true; study: StudyConfig | null; warnings: string[] } | { ok: false; errors: string[] };

/**
 * Validates the `study` section (comments already stripped) and resolves every condition's
 * settings over the `agent` section's fields. Errors name the field: `study.limits.maxMinutes: …`.
 */
export function parseStudySection(raw: unknown, baseFields: AgentFields, env: AgentConfigEnv): StudyParseResult {
  if (raw === undefined) return { ok: true, study: null, warnings: [] };
  const parsed = studySectionSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => describeIssue({ ...issue, path: ['study', ...issue.path] })) };
  }
  const section = parsed.data;
  const errors: string[] = [];
  const warnings: string[] = [];

  const consentText = section.consent?.text?.trim() ? section.consent.text : null;
  const consentRequired = section.consent?.required ?? consentText !== null;
  if (consentRequired && consentText === null) errors.push('study.consent.text: required when consent.required is true (the Markdown shown before the first chat)');

  const entries = Object.entries(section.conditions ?? {});
  if (entries.length > MAX_CONDITIONS) errors.push(`study.conditions: at most ${MAX_CONDITIONS} conditions`);
  for (const [name] of entries) if (!NAME.test(name)) errors.push(`study.conditions: the condition name "${name.slice(0, 80)}" ${nameRule}`);
  const conditions: StudyCondition[] = [];
  for (const [name, fields] of entries) {
    const resolved = resolveAgentFields({ ...baseFields, ...fields }, env, `study.conditions.${name}`);
    if (!resolved.ok) errors.push(...resolved.errors);
    else if (fields.temperature !== undefined && resolved.settings.provider === 'anthropic') {
      // A condition that differs only by an ignored setting would silently be the same condition.
      errors.push(`study.conditions.${name}.temperature: the "anthropic" provider does not send temperature (the API version in use rejects it), so this condition would not differ as intended; vary systemPrompt or model instead`);
    } else {
      conditions.push({ name, settings: resolved.settings });
      warnings.push(...resolved.warnings);
    }
  }
  const limits = section.limits ?? {};
  if (limits.redirectUrl === undefined && limits.completionCode === undefined && (limits.maxMinutes !== undefined || limits.maxTurnsPerChat !== undefined)) {
    warnings.push('study.limits: a limit is set but neither completionCode nor redirectUrl: participants who reach it get no proof of completion');
  }
  if (errors.length > 0) return { ok: false, errors };

  const study: StudyConfig = {
    id: section.id,
    consent: {
      required: consentRequired,
      text: consentText,
      textSha256: consentText === null ? null : createHash('sha256').update(consentText).digest('hex'),
    },
    conditions,
    limits: {
      maxTurnsPerChat: limits.maxTurnsPerChat ?? null,
      maxMinutes: limits.maxMinutes ?? null,
      closedMessage: limits.closedMessage?.trim() ? limits.closedMessage : DEFAULT_CLOSED_MESSAGE,
      completionCode: limits.completionCode ?? null,
      redirectUrl: limits.redirectUrl ?? null,
    },
    // Every permission defaults to what Parley allows without a study.
    permissions: {
      renameChats: section.permissions?.renameChats ?? true,
      multipleChats: section.permissions?.multipleChats ?? true,
      showModelName: section.permissions?.showModelName ?? true,
    },
  };
  return { ok: true, study: deepFreeze(study), warnings };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
