import { describe, expect, it, vi } from 'vitest';
import { createLazyMarkdown } from './lazyMarkdown.ts';

describe('createLazyMarkdown', () => {
  it('loads once, then notifies and serves the renderer', async () => {
    const importRenderer = vi.fn(async () => (text: string) => `<p>${text}</p>`);
    const markdown = createLazyMarkdown(importRenderer);
    const listener = vi.fn();
    markdown.subscribe(listener);
    expect(markdown.get()).toBeNull();
    await Promise.all([markdown.load(), markdown.load()]);
    expect(importRenderer).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(markdown.get()?.('hi')).toBe('<p>hi</p>');
  });

  it('can retry after a failed download', async () => {
    const importRenderer = vi
      .fn<() => Promise<(text: string) => string>>()
      .mockRejectedValueOnce(new Error('chunk failed'))
      .mockResolvedValueOnce((text) => text);
    const markdown = createLazyMarkdown(importRenderer);
    await expect(markdown.load()).rejects.toThrow('chunk failed');
    await markdown.load();
    expect(markdown.get()).not.toBeNull();
  });
});
