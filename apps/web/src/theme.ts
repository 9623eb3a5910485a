import { browserStorage } from './browserStorage.ts';

export type Theme = 'light' | 'dark';

/** Also read by the inline script in index.html, which applies the theme before the first paint. */
export const THEME_STORAGE_KEY = 'parley.theme';

export function currentTheme(root: HTMLElement = document.documentElement): Theme {
  return root.dataset.theme === 'dark' ? 'dark' : 'light';
}

/** Applies a theme the participant chose and remembers it for the next visit. */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement, storage: Pick<Storage, 'setItem'> | null = browserStorage('localStorage')): void {
  root.dataset.theme = theme;
  try {
    storage?.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Private browsing can refuse storage; the theme still applies for this visit.
  }
}
