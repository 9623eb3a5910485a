import { describe, expect, it } from 'vitest';
import { createDrafts } from './drafts.ts';

/** A Storage with the same behaviour as the browser's, in memory. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, String(v)),
    removeItem: (k) => void items.delete(k),
    clear: () => items.clear(),
  };
}

describe('drafts', () => {
  it('keeps one draft per user and chat, the new chat included, and forgets a sent one', () => {
    const storage = memoryStorage();
    const drafts = createDrafts(storage);
    drafts.save('ada', 'c1', 'half a thought');
    drafts.save('ada', null, 'for a new chat');
    drafts.save('bob', 'c1', 'not ada’s');
    expect(drafts.load('ada', 'c1')).toBe('half a thought');
    expect(drafts.load('ada', null)).toBe('for a new chat');
    expect(drafts.load('ada', 'c2')).toBe('');
    expect(drafts.load('bob', 'c1')).toBe('not ada’s');
    // A reload reads the same storage.
    expect(createDrafts(storage).load('ada', 'c1')).toBe('half a thought');
    drafts.save('ada', 'c1', '');
    expect(drafts.load('ada', 'c1')).toBe('');
    expect(storage.length).toBe(2);
  });

  it('forgets every draft at logout and leaves other keys alone', () => {
    const storage = memoryStorage();
    storage.setItem('parley.theme', 'dark');
    const drafts = createDrafts(storage);
    drafts.save('ada', 'c1', 'a');
    drafts.save('ada', 'c2', 'b');
    drafts.clear();
    expect(drafts.load('ada', 'c1')).toBe('');
    expect(drafts.load('ada', 'c2')).toBe('');
    expect(storage.getItem('parley.theme')).toBe('dark');
  });

  it('works without storage, and when the browser refuses it', () => {
    expect(createDrafts(null).load('ada', 'c1')).toBe('');
    const refusing = { ...memoryStorage(), setItem: () => { throw new Error('QuotaExceededError'); } } as Storage;
    const drafts = createDrafts(refusing);
    expect(() => drafts.save('ada', 'c1', 'x')).not.toThrow();
    expect(drafts.load('ada', 'c1')).toBe('');
  });
});
