import { useAppState } from '../AppContext.tsx';
import { SidebarIcon } from './icons.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

interface HeaderProps {
  sidebarOpen: boolean;
  /** Null when there is no sidebar (logged out). */
  onToggleSidebar: (() => void) | null;
}

export function Header({ sidebarOpen, onToggleSidebar }: HeaderProps) {
  const title = useAppState((s) => (s.activeChatId ? (s.chats[s.activeChatId]?.title ?? '') : null));
  const authenticated = useAppState((s) => s.auth.status === 'authenticated');
  return (
    <header className="header">
      {onToggleSidebar && (
        <button
          type="button"
          className="icon-button"
          onClick={onToggleSidebar}
          aria-label={sidebarOpen ? 'Close sidebar' : 'Open sidebar'}
          aria-expanded={sidebarOpen}
          aria-controls="sidebar"
          title={sidebarOpen ? 'Close sidebar' : 'Open sidebar'}
        >
          <SidebarIcon />
        </button>
      )}
      <h1 className="header__title">{authenticated ? title || 'New chat' : 'Parley'}</h1>
      <ThemeToggle />
    </header>
  );
}
