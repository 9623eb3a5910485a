import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { ThemeToggle } from '../components/ThemeToggle.tsx';
import { ConversationViewer } from './ConversationViewer.tsx';
import { Dashboard } from './Dashboard.tsx';
import { ResearchContext, type ResearchServices } from './ResearchContext.tsx';
import { ResearchLogin } from './ResearchLogin.tsx';
import type { ResearchApi } from './researchApi.ts';
import { pathForResearchView, researchViewFromPath, type ResearchView } from './researchRoute.ts';

type Session = 'checking' | 'anonymous' | 'authenticated';

/** The researcher's page: log in with the researcher password, then the live dashboard and the data. */
export function ResearchApp({ api, win }: { api: ResearchApi; win: Window }) {
  const [session, setSession] = useState<Session>('checking');
  const [notice, setNotice] = useState<string | null>(null);
  const [view, setView] = useState<ResearchView>(() => researchViewFromPath(win.location.pathname));
  // The dashboard's study filter outlives a visit to a conversation and back.
  const [study, setStudy] = useState('');

  useEffect(() => {
    win.document.title = 'Research · Parley';
    let cancelled = false;
    api.me().then(
      () => !cancelled && setSession('authenticated'),
      (error: unknown) => {
        if (cancelled) return;
        setSession('anonymous');
        if (!(error instanceof ApiError) || error.status !== 401) setNotice(error instanceof Error ? error.message : 'The server cannot be reached.');
      },
    );
    return () => void (cancelled = true);
  }, [api, win]);

  useEffect(() => {
    const onPop = () => setView(researchViewFromPath(win.location.pathname));
    win.addEventListener('popstate', onPop);
    return () => win.removeEventListener('popstate', onPop);
  }, [win]);

  const sessionEnded = useCallback(() => {
    setSession('anonymous');
    setNotice('Your researcher session has ended. Please log in again.');
  }, []);

  const services = useMemo<ResearchServices>(
    () => ({
      api,
      sessionEnded,
      navigate(next) {
        const path = pathForResearchView(next);
        if (win.location.pathname !== path) win.history.pushState(null, '', path);
        setView(next);
        win.scrollTo(0, 0);
      },
    }),
    [api, sessionEnded, win],
  );

  async function logout() {
    await api.logout().catch(() => {}); // the session ends here either way
    setSession('anonymous');
    setNotice(null);
  }

  return (
    <ResearchContext.Provider value={services}>
      <div className="research">
        <header className="research__header">
          <a
            className="research__brand"
            href="/research"
            onClick={(event) => {
              event.preventDefault();
              services.navigate({ view: 'dashboard' });
            }}
          >
            <span className="research__logo" aria-hidden="true">
              P
            </span>
            Parley research
          </a>
          <span className="research__spacer" />
          <ThemeToggle />
          {session === 'authenticated' && (
            <button type="button" className="button button--secondary button--small" onClick={() => void logout()}>
              Log out
            </button>
          )}
        </header>
        <main className="research__main">
          {session === 'checking' && (
            <p className="research__status" role="status">
              Loading…
            </p>
          )}
          {session === 'anonymous' && (
            <ResearchLogin
              notice={notice}
              onLoggedIn={() => {
                setNotice(null);
                setSession('authenticated');
              }}
            />
          )}
          {session === 'authenticated' &&
            (view.view === 'conversation' ? <ConversationViewer chatId={view.chatId} /> : <Dashboard study={study} onStudyChange={setStudy} />)}
        </main>
      </div>
    </ResearchContext.Provider>
  );
}
