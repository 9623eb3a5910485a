import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useResearch } from './ResearchContext.tsx';

export interface PagedList<T> {
  items: T[];
  /** More pages exist. */
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  loadMore(): void;
  /** Starts over from the first page (new participants appear at the end of the list). */
  refresh(): void;
}

/**
 * A list read a page at a time with the server's `nextCursor`. `key` names the filters; when it
 * changes the list starts over, and pages still on their way for the old filters are dropped.
 */
export function usePagedList<T>(key: string, loadPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): PagedList<T> {
  const { sessionEnded } = useResearch();
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const loadRef = useRef(loadPage);
  loadRef.current = loadPage;

  const fetchPage = useCallback(
    async (from: string | undefined, append: boolean) => {
      const mine = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await loadRef.current(from);
        if (mine !== generation.current) return;
        setItems((current) => (append ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return sessionEnded();
        if (mine === generation.current) setError(err instanceof Error ? err.message : 'Loading failed.');
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [sessionEnded],
  );

  useEffect(() => {
    setItems([]);
    setCursor(null);
    void fetchPage(undefined, false);
    return () => void generation.current++;
  }, [key, fetchPage]);

  return {
    items,
    hasMore: cursor !== null,
    loading,
    error,
    loadMore: () => cursor !== null && !loading && void fetchPage(cursor, true),
    refresh: () => void fetchPage(undefined, false),
  };
}
