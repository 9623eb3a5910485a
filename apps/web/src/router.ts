/**
 * The open chat lives in the URL (/c/<id>), so a reload, a bookmark or the back button shows the
 * same chat. A new chat that does not exist yet is "/".
 */
export interface Router {
  currentChatId(): string | null;
  show(chatId: string | null): void;
  /** Called when the participant navigates with back/forward. */
  onChange(listener: (chatId: string | null) => void): () => void;
}

export function chatIdFromPath(pathname: string): string | null {
  const match = /^\/c\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

/** The researcher's page (/research and below) is a separate, lazily loaded app (research/). */
export function isResearchPath(pathname: string): boolean {
  return pathname === '/research' || pathname.startsWith('/research/');
}

export function pathForChat(chatId: string | null): string {
  return chatId === null ? '/' : `/c/${encodeURIComponent(chatId)}`;
}

export function createBrowserRouter(win: Window): Router {
  return {
    currentChatId: () => chatIdFromPath(win.location.pathname),
    show(chatId) {
      const path = pathForChat(chatId);
      if (win.location.pathname !== path) win.history.pushState(null, '', path);
    },
    onChange(listener) {
      const handler = () => listener(chatIdFromPath(win.location.pathname));
      win.addEventListener('popstate', handler);
      return () => win.removeEventListener('popstate', handler);
    },
  };
}

/** For tests and non-browser use: remembers the chat id and never fires onChange. */
export function createMemoryRouter(initial: string | null = null): Router & { history: (string | null)[] } {
  const history: (string | null)[] = [initial];
  return {
    history,
    currentChatId: () => history[history.length - 1] ?? null,
    show(chatId) {
      if (history[history.length - 1] !== chatId) history.push(chatId);
    },
    onChange: () => () => {},
  };
}
