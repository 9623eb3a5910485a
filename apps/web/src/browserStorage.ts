/** The browser's local or this tab's session storage, or null where it is refused (some private modes, sandboxed frames). */
export function browserStorage(kind: 'localStorage' | 'sessionStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}
