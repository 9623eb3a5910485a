import { useState } from 'react';
import { applyTheme, currentTheme, type Theme } from '../theme.ts';
import { MoonIcon, SunIcon } from './icons.tsx';

export function ThemeToggle() {
  // index.html already applied the remembered or system theme; start from what is on screen.
  const [theme, setTheme] = useState<Theme>(() => currentTheme());
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="icon-button"
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      data-theme-current={theme}
    >
      {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
    </button>
  );
}
