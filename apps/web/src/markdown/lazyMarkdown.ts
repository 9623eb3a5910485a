export type RenderMarkdown = (markdown: string) => string;

/**
 * The Markdown stack (marked, DOMPurify, highlight.js: about 45 KB gzipped) is loaded after the
 * first paint instead of with it, which keeps the first-load JavaScript within its budget. Until
 * it arrives (normally while the participant is still logging in) replies show as plain text.
 */
export interface LazyMarkdown {
  /** The renderer once loaded, else null. */
  get(): RenderMarkdown | null;
  /** Starts loading (once); resolves when the renderer is ready. */
  load(): Promise<void>;
  subscribe(listener: () => void): () => void;
}

export function createLazyMarkdown(importRenderer: () => Promise<RenderMarkdown>): LazyMarkdown {
  let renderer: RenderMarkdown | null = null;
  let loading: Promise<void> | null = null;
  const listeners = new Set<() => void>();

  function load(): Promise<void> {
    loading ??= importRenderer().then(
      (loaded) => {
        renderer = loaded;
        for (const listener of listeners) listener();
      },
      (error: unknown) => {
        // A failed chunk download (flaky network, a deploy replaced the files): allow a retry.
        loading = null;
        throw error;
      },
    );
    return loading;
  }

  return {
    get: () => renderer,
    load,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
