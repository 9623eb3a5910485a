/**
 * What a participant has typed and not yet sent, per chat: kept when they switch chats and when
 * the page reloads, in this tab's sessionStorage (gone when the tab closes, never seen by another
 * user of a shared computer), and removed when it is sent and at logout.
 */
export interface Drafts {
  /** The unsent text of a chat (`null`: the new chat the first message creates); '' if none. */
  load(userId: string, chatId: string | null): string;
  save(userId: string, chatId: string | null, text: string): void;
  /** Forgets every draft (logout). */
  clear(): void;
}

const PREFIX = 'parley.draft.';

type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

export function createDrafts(storage: DraftStorage | null): Drafts {
  const keyOf = (userId: string, chatId: string | null) => `${PREFIX}${userId}:${chatId ?? 'new'}`;
  // Storage can be refused (private browsing, quota): a draft is then kept only while the box is on screen.
  const attempt = <T>(fallback: T, action: () => T): T => {
    try {
      return action();
    } catch {
      return fallback;
    }
  };
  return {
    load: (userId, chatId) => (storage ? attempt('', () => storage.getItem(keyOf(userId, chatId)) ?? '') : ''),
    save(userId, chatId, text) {
      if (!storage) return;
      attempt(undefined, () => (text ? storage.setItem(keyOf(userId, chatId), text) : storage.removeItem(keyOf(userId, chatId))));
    },
    clear() {
      if (!storage) return;
      attempt(undefined, () => {
        const keys: string[] = [];
        for (let i = 0; i < storage.length; i += 1) {
          const key = storage.key(i);
          if (key?.startsWith(PREFIX)) keys.push(key);
        }
        for (const key of keys) storage.removeItem(key);
      });
    },
  };
}
