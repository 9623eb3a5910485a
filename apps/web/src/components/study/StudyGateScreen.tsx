import { useAppState, useStudyController } from '../../AppContext.tsx';
import { studyGate } from '../../store/study.ts';
import { ConnectionBanner } from '../ConnectionBanner.tsx';
import { Header } from '../Header.tsx';
import { Notice } from '../Notice.tsx';
import { ConsentView } from './ConsentView.tsx';
import { DeclinedView } from './DeclinedView.tsx';

const TITLES = { loading: 'Parley', failed: 'Parley', consent: 'Before you start', declined: 'Parley', chat: 'Parley' } as const;

/**
 * What a logged-in participant sees instead of the chat while the study does not allow it yet
 * (or any more): no sidebar, no message box, nothing that could send before consent.
 */
export function StudyGateScreen() {
  const gate = useAppState(studyGate);
  return (
    <div className="app" data-sidebar="closed">
      <main className="main">
        <Header sidebarOpen={false} onOpenSidebar={null} title={TITLES[gate]} />
        <ConnectionBanner />
        <Notice />
        {gate === 'consent' && <ConsentView />}
        {gate === 'declined' && <DeclinedView />}
        {gate === 'loading' && (
          <div className="study-screen" aria-busy="true">
            <p className="study-screen__status" role="status">
              Loading…
            </p>
          </div>
        )}
        {gate === 'failed' && <StudyLoadFailed />}
      </main>
    </div>
  );
}

function StudyLoadFailed() {
  const study = useStudyController();
  return (
    <div className="study-screen">
      <div className="study-card study-card--centered" role="alert">
        <p>This page could not load the study's settings. Please check your connection.</p>
        <button type="button" className="button button--primary" onClick={() => void study.refresh()}>
          Try again
        </button>
      </div>
    </div>
  );
}
