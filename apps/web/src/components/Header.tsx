import { useAppState } from '../AppContext.tsx';
import { SidebarIcon } from './icons.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

interface HeaderProps {
  sidebarOpen: boolean;
  /** Null when there is no sidebar (logged out). */
  onOpenSidebar: (() => void) | null;
  /** Replaces the chat's title (screens that are not a chat, such as the consent form). */
  title?: string;
}

export function Header({ sidebarOpen, onOpenSidebar, title: fixedTitle }: HeaderProps) {
  const title = useAppState((s) => (s.activeChatId ? (s.chats[s.activeChatId]?.title ?? '') : null));
  const authenticated = useAppState((s) => s.auth.status === 'authenticated');
  return (
    <header className="header">
      {/* While the sidebar is open its own close button is shown; a second one here would be noise. */}
      {onOpenSidebar && !sidebarOpen && (
        <button
          type="button"
          id="sidebar-open-button"
          className="icon-button"
          onClick={onOpenSidebar}
          aria-label="Open sidebar"
          aria-expanded={false}
          aria-controls="sidebar"
          title="Open sidebar"
        >
          <SidebarIcon />
        </button>
      )}
      <h1 className="header__title">{fixedTitle ?? (authenticated ? title || 'New chat' : 'Parley')}</h1>
      <ThemeToggle />
    </header>
  );
}
