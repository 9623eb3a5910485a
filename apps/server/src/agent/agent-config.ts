import { readFileSync, unwatchFile, watch, watchFile, type FSWatcher, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSettingsFile } from '../study/settings-file.ts';
import type { StudyConfig } from '../study/study-config.ts';
import { defaultAgentSettings, describeJsonError, type AgentConfigEnv } from './agent-settings.ts';
import type { AgentSettings } from './providers/types.ts';

/**
 * The agent settings and the study, hot-reloaded from a JSON file (see agent-settings.ts and
 * study/study-config.ts for its shape and apps/server/config/agent.example.json for an example).
 *
 * - The file is read synchronously when the store is created, so `current()` is right at once:
 *   missing → defaults; invalid → defaults, logged as an error, and `lastResult().ok` is false
 *   (the composition root may refuse to start on it rather than run a study on defaults).
 * - Afterwards every change is picked up without a restart: the file's directory is watched
 *   (so an editor's atomic rename-over, a file created later and a delete are all seen),
 *   debounced by ~100 ms, with a slow stat poll as a backstop for filesystems where watch
 *   events do not arrive (network and container bind mounts).
 * - A change that is invalid, unreadable or a deletion keeps the last good settings in force
 *   and logs which field is wrong and why. Nothing is half-applied: the agent settings and the
 *   study are replaced together, or neither is.
 * - A reply reads `current()` once when it starts, so a change affects the next reply only.
 */

/** The part of a pino logger the store uses. */
export interface ConfigLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AgentConfigStoreOptions {
  /** The JSON file; the server passes AGENT_CONFIG, default <repo>/data/agent.json. */
  path: string;
  logger: ConfigLogger;
  env: AgentConfigEnv;
  /** Debounce for watch events, ms. Default 100. */
  debounceMs?: number;
  /** Interval of the backstop stat poll, ms; 0 disables it. Default 2000. */
  pollIntervalMs?: number;
}

export type ReloadResult =
  | {
      ok: true;
      /** 'file': the file's settings; 'defaults': there is no file (and never was one this run). */
      source: 'file' | 'defaults';
      /** Whether the settings or the study in force changed. */
      changed: boolean;
      settings: AgentSettings;
      /** The study section in force; null when the file has none. */
      study: StudyConfig | null;
      warnings: string[];
    }
  | {
      ok: false;
      /** invalid: bad JSON or bad fields; unreadable: I/O error; missing: the file was deleted. */
      problem: 'invalid' | 'unreadable' | 'missing';
      errors: string[];
      /** The settings still in force (the last good ones). */
      settings: AgentSettings;
      study: StudyConfig | null;
    };

export type AgentSettingsListener = (settings: AgentSettings, previous: AgentSettings) => void;
export type StudyListener = (study: StudyConfig | null, previous: StudyConfig | null) => void;

export interface AgentConfigStore {
  /** The settings in force now. Frozen; read once per reply. */
  current(): AgentSettings;
  /** The study in force now (frozen), or null when the file has no `study` section. */
  currentStudy(): StudyConfig | null;
  /** Re-reads the file now (the watcher calls this too). Reloads never overlap. */
  reload(): Promise<ReloadResult>;
  /** The outcome of the latest load, for startup checks and admin views. */
  lastResult(): ReloadResult;
  /** Called after the settings in force change. Returns an unsubscribe function. */
  onChange(listener: AgentSettingsListener): () => void;
  /** Called after the study in force changes. Returns an unsubscribe function. */
  onStudyChange(listener: StudyListener): () => void;
  /** Stops watching. Idempotent. */
  close(): void;
}

export function createAgentConfigStore(options: AgentConfigStoreOptions): AgentConfigStore {
  const file = path.resolve(options.path);
  const { logger, env } = options;
  const debounceMs = options.debounceMs ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const listeners = new Set<AgentSettingsListener>();
  const studyListeners = new Set<StudyListener>();

  let settings = defaultAgentSettings(env);
  let serialized = JSON.stringify(settings);
  let study: StudyConfig | null = null;
  let studySerialized = 'null';
  let loadedFromFile = false;
  /** The last text read (null: no file), so an unchanged file is not re-logged on every event. */
  let lastText: string | null | undefined;
  let last: ReloadResult = { ok: true, source: 'defaults', changed: false, settings, study, warnings: [] };
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  function apply(next: AgentSettings, nextStudy: StudyConfig | null, warnings: string[], source: 'file' | 'defaults'): ReloadResult {
    const nextSerialized = JSON.stringify(next);
    const changed = nextSerialized !== serialized;
    const previous = settings;
    settings = next;
    serialized = nextSerialized;
    const nextStudySerialized = JSON.stringify(nextStudy);
    const studyChanged = nextStudySerialized !== studySerialized;
    const previousStudy = study;
    study = nextStudy;
    studySerialized = nextStudySerialized;
    for (const warning of warnings) logger.warn({ path: file }, `agent config: ${warning}`);
    if (changed) {
      logger.info(
        { path: file, source, provider: next.provider, model: next.model, changedFields: changedFields(previous, next) },
        `agent config ${source === 'file' ? 'loaded' : 'defaults in force'}: ${next.provider} ${next.model}`,
      );
      for (const listener of listeners) {
        try {
          listener(next, previous);
        } catch (err) {
          logger.error({ err }, 'agent config change listener failed');
        }
      }
    }
    if (studyChanged) {
      logger.info(
        { path: file, study: nextStudy?.id ?? null, conditions: nextStudy?.conditions.map((c) => c.name) ?? [] },
        nextStudy ? `study ${nextStudy.id} in force` : 'no study in force',
      );
      for (const listener of studyListeners) {
        try {
          listener(nextStudy, previousStudy);
        } catch (err) {
          logger.error({ err }, 'study change listener failed');
        }
      }
    }
    return { ok: true, source, changed: changed || studyChanged, settings: next, study: nextStudy, warnings };
  }

  function reject(problem: 'invalid' | 'unreadable' | 'missing', errors: string[]): ReloadResult {
    const keeping = loadedFromFile ? 'keeping the last good configuration' : 'using the defaults';
    const log = problem === 'missing' ? logger.warn.bind(logger) : logger.error.bind(logger);
    log({ path: file, problem, errors }, `agent config ${file} ${problem === 'missing' ? 'was deleted' : `is ${problem}`} (${errors.join('; ')}); ${keeping}`);
    return { ok: false, problem, errors, settings, study };
  }

  /** Applies what reading the file produced: its text, null when it does not exist, or an I/O error code. */
  function evaluate(read: { text: string | null } | { ioError: string }): ReloadResult {
    if ('ioError' in read) {
      lastText = undefined;
      return reject('unreadable', [`cannot read the file (${read.ioError})`]);
    }
    const { text } = read;
    // Same bytes as last time (a touch, a duplicate event): nothing to do, nothing to log again.
    if (text === lastText) return last.ok ? { ...last, changed: false } : last;
    lastText = text;

    if (text === null) {
      if (loadedFromFile) return reject('missing', ['the file no longer exists']);
      return apply(defaultAgentSettings(env), null, [], 'defaults');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return reject('invalid', [describeJsonError(err, text)]);
    }
    const resolved = parseSettingsFile(raw, env);
    if (!resolved.ok) return reject('invalid', resolved.errors);
    loadedFromFile = true;
    return apply(resolved.settings, resolved.study, resolved.warnings, 'file');
  }

  async function load(): Promise<ReloadResult> {
    return evaluate(await readFile(file, 'utf8').then((text) => ({ text }), readFailure));
  }

  function reload(): Promise<ReloadResult> {
    const next = chain.then(load).then((result) => (last = result));
    chain = next.catch(() => undefined);
    return next;
  }

  // --- watching -------------------------------------------------------------------------
  let debounce: NodeJS.Timeout | undefined;
  function schedule(): void {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      reload().catch((err) => logger.error({ err, path: file }, 'agent config reload failed'));
    }, debounceMs);
    debounce.unref();
  }

  let watcher: FSWatcher | undefined;
  const base = path.basename(file);
  try {
    // The directory, not the file: a watch on the file itself is lost when an editor replaces it by rename.
    watcher = watch(path.dirname(file), { persistent: false }, (_event, name) => {
      if (name === null || name.toString() === base) schedule();
    });
    watcher.on('error', (err) => logger.warn({ err, path: file }, 'agent config watch failed; relying on polling'));
  } catch (err) {
    logger.warn({ err, path: file }, 'cannot watch the agent config directory; relying on polling');
  }
  const onStat = (current: Stats, previous: Stats) => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) schedule();
  };
  if (pollIntervalMs > 0) watchFile(file, { persistent: false, interval: pollIntervalMs }, onStat);

  // The first read is synchronous so current() is right as soon as the store exists: a reply
  // started during boot must never run on defaults when the file says otherwise.
  let initial: { text: string | null } | { ioError: string };
  try {
    initial = { text: readFileSync(file, 'utf8') };
  } catch (err) {
    initial = readFailure(err);
  }
  last = evaluate(initial);
  if (last.ok && last.source === 'defaults') {
    logger.info({ path: file, provider: settings.provider, model: settings.model }, `no agent config file at ${file}; using the defaults: ${settings.provider} ${settings.model}`);
  }

  return {
    current: () => settings,
    currentStudy: () => study,
    reload,
    lastResult: () => last,
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    onStudyChange(listener) {
      studyListeners.add(listener);
      return () => {
        studyListeners.delete(listener);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(debounce);
      watcher?.close();
      if (pollIntervalMs > 0) unwatchFile(file, onStat);
      listeners.clear();
      studyListeners.clear();
    },
  };
}

function readFailure(err: unknown): { text: null } | { ioError: string } {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? { text: null } : { ioError: code ?? String(err) };
}

function changedFields(previous: AgentSettings, next: AgentSettings): string[] {
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)] as (keyof AgentSettings)[]);
  return [...keys].filter((key) => previous[key] !== next[key]);
}
