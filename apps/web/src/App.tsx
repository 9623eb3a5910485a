import { useCallback, useEffect, useState } from 'react';
import { useAppState } from './AppContext.tsx';
import { ChatView } from './components/chat/ChatView.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { Header } from './components/Header.tsx';
import { LoginView } from './components/LoginView.tsx';
import { Notice } from './components/Notice.tsx';
import { Sidebar } from './components/sidebar/Sidebar.tsx';
import { StatusAnnouncer } from './components/StatusAnnouncer.tsx';
import { StudyGateScreen } from './components/study/StudyGateScreen.tsx';
import { useMediaQuery } from './components/useMediaQuery.ts';
import { studyGate } from './store/study.ts';

/** Below this width the sidebar overlays the chat instead of sitting beside it. */
export const NARROW_SCREEN = '(max-width: 767px)';

export function App() {
  const authStatus = useAppState((s) => s.auth.status);
  const gate = useAppState(studyGate);
  const activeTitle = useAppState((s) => (s.activeChatId ? s.chats[s.activeChatId]?.title : undefined));
  const narrow = useMediaQuery(NARROW_SCREEN);
  // Open beside the chat on wide screens, closed (an overlay on demand) on phones.
  const [sidebarOpen, setSidebarOpen] = useState(!narrow);
  useEffect(() => setSidebarOpen(!narrow), [narrow]);

  // Keyboard users keep their place: focus moves into the sidebar when it opens and back to the
  // open button when it closes (the closed sidebar is inert, so focus inside it would be lost).
  const openSidebar = useCallback(() => {
    setSidebarOpen(true);
    requestAnimationFrame(() => document.querySelector<HTMLElement>('#sidebar button')?.focus());
  }, []);
  const closeSidebar = useCallback(() => {
    const focusWasInside = document.getElementById('sidebar')?.contains(document.activeElement) ?? false;
    setSidebarOpen(false);
    if (focusWasInside) requestAnimationFrame(() => document.getElementById('sidebar-open-button')?.focus());
  }, []);
  const closeOverlay = useCallback(() => narrow && setSidebarOpen(false), [narrow]);

  useEffect(() => {
    document.title = activeTitle ? `${activeTitle} · Parley` : 'Parley';
  }, [activeTitle]);

  if (authStatus === 'unknown') return <div className="app app--loading" aria-busy="true" />;
  const authenticated = authStatus === 'authenticated';
  // Until the study allows chatting (consent), and after a decline, no chat UI exists at all.
  if (authenticated && gate !== 'chat') return <StudyGateScreen />;

  return (
    <div className="app" data-sidebar={authenticated && sidebarOpen ? 'open' : 'closed'} data-narrow={narrow ? 'true' : 'false'}>
      {authenticated && (
        <Sidebar
          open={sidebarOpen}
          narrow={narrow}
          onClose={closeSidebar}
          onNavigate={closeOverlay}
        />
      )}
      <main className="main">
        <Header sidebarOpen={sidebarOpen} onOpenSidebar={authenticated ? openSidebar : null} />
        <div className="main__alerts">
          {authenticated && <ConnectionBanner />}
          <Notice />
        </div>
        {authenticated ? <ChatView /> : <LoginView />}
      </main>
      <StatusAnnouncer />
    </div>
  );
}
