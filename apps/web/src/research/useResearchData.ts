import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useResearch } from './ResearchContext.tsx';

export interface ResearchData<T> {
  data: T | null;
  /** Why the last load failed; the previous data stays shown meanwhile. */
  error: string | null;
  updatedAt: Date | null;
  reload(): void;
}

/**
 * Loads data for the researcher's page, again every `pollMs` when given (the dashboard), but not
 * while the tab is hidden: a forgotten background tab should not query the database forever.
 * `key` names what is loaded; when it changes, the data starts over.
 */
export function useResearchData<T>(key: string, load: () => Promise<T>, pollMs: number | null = null): ResearchData<T> {
  const { sessionEnded } = useResearch();
  const [state, setState] = useState<{ key: string; data: T | null; error: string | null; updatedAt: Date | null }>({
    key,
    data: null,
    error: null,
    updatedAt: null,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const run = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await loadRef.current();
      if (mine === generation.current) setState({ key, data, error: null, updatedAt: new Date() });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return sessionEnded();
      if (mine !== generation.current) return;
      const message = error instanceof Error ? error.message : 'Loading failed.';
      setState((current) => (current.key === key ? { ...current, error: message } : { key, data: null, error: message, updatedAt: null }));
    }
  }, [key, sessionEnded]);

  useEffect(() => {
    void run();
    if (pollMs === null) return () => void generation.current++;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void run();
    }, pollMs);
    const onVisible = () => document.visibilityState === 'visible' && void run();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      generation.current += 1; // answers still on their way belong to the old key
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [run, pollMs]);

  const current = state.key === key ? state : { data: null, error: null, updatedAt: null };
  return { ...current, reload: () => void run() };
}
