import type { ErrorCode, FeedbackRequest, ServerFrame, StudyView } from '@parley/protocol';
import type { StudyApi } from '../api/studyApi.ts';
import type { Connection } from '../connection/connection.ts';
import type { AppStore } from './createAppStore.ts';
import { withFeedback } from './feedback.ts';
import { chatToResume, withTurnTaken } from './study.ts';

export interface StudyControllerDeps {
  store: AppStore;
  api: StudyApi;
  connection: Pick<Connection, 'subscribe'>;
  /** Opens a chat the way the sidebar does (the chat controller's openChat). */
  openChat(chatId: string): void;
}

/** The study's side of the page: keeps the study view current, records consent and feedback. */
export interface StudyController {
  /** Fetches the study view again; concurrent calls share one request (plus one after it). */
  refresh(): Promise<void>;
  /** Returns an error message, or null once the decision is recorded. */
  decideConsent(accept: boolean): Promise<string | null>;
  /** Returns an error message, or null once the feedback is stored. */
  setFeedback(chatId: string, messageId: string, body: FeedbackRequest): Promise<string | null>;
  dispose(): void;
}

/** A send refused for one of these means the study view this tab has is out of date. */
const STUDY_REFUSALS: ReadonlySet<ErrorCode> = new Set(['limit_reached', 'consent_required', 'consent_declined', 'forbidden']);

export function createStudyController(deps: StudyControllerDeps): StudyController {
  const { store, api } = deps;
  const get = store.getState;

  // Frames and fetches race: a `study.updated` that arrives while a fetch is under way is at
  // least as new as what the fetch will return, so that fetch's answer is dropped.
  let framesSeen = 0;
  // Answers that belong to an earlier session (logout, another login) are dropped too.
  let session = 0;
  let inFlight: Promise<void> | null = null;
  let again = false;

  const unsubscribeConnection = deps.connection.subscribe({ onFrame: handleFrame });
  const unsubscribeStore = store.subscribe((state, previous) => {
    const now = state.auth.status === 'authenticated';
    if (now === (previous.auth.status === 'authenticated')) return;
    session += 1;
    if (now) void refresh();
  });

  function handleFrame(frame: ServerFrame): void {
    const state = get();
    if (state.auth.status !== 'authenticated') return;
    switch (frame.type) {
      case 'hello':
        // A `study.updated` may have been sent while this tab was disconnected.
        void refresh();
        return;
      case 'study.updated':
        framesSeen += 1;
        apply(frame.study);
        return;
      case 'feedback.updated': {
        const patch = withFeedback(state, frame.chatId, frame.messageId, frame.feedback);
        if (patch) store.setState(patch);
        return;
      }
      case 'ack':
      case 'message':
        if (frame.type === 'ack' && frame.duplicate) return;
        if (frame.message.role === 'user') countTurn(frame.chatId);
        return;
      case 'error':
        if (state.study && STUDY_REFUSALS.has(frame.code)) void refresh();
        return;
      default:
        return;
    }
  }

  function countTurn(chatId: string): void {
    const study = get().study;
    if (!study || study.state !== 'active') return;
    const known = study.chats.some((c) => c.chatId === chatId);
    store.setState({ study: withTurnTaken(study, chatId) });
    // The server claims a new chat for the study with its first message; confirm what it decided.
    if (!known) void refresh();
  }

  function apply(study: StudyView | null): void {
    store.setState({ study, studyLoad: 'ready' });
    const resume = chatToResume(study, get().activeChatId);
    if (resume) deps.openChat(resume);
  }

  async function fetchOnce(): Promise<void> {
    const startedSession = session;
    const startedFrames = framesSeen;
    try {
      const study = await api.getStudy();
      if (startedSession !== session || startedFrames !== framesSeen) return;
      apply(study);
    } catch {
      // The last known view stays; without one the page offers a retry (never "no study").
      if (startedSession === session && get().studyLoad !== 'ready') store.setState({ studyLoad: 'failed' });
    }
  }

  function refresh(): Promise<void> {
    if (get().auth.status !== 'authenticated') return Promise.resolve();
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        do {
          again = false;
          await fetchOnce();
        } while (again);
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  async function decideConsent(accept: boolean): Promise<string | null> {
    try {
      const study = await api.decideConsent(accept);
      framesSeen += 1; // newer than any fetch under way
      apply(study);
      return null;
    } catch (error) {
      void refresh(); // e.g. decided already in another tab
      return error instanceof Error ? error.message : 'Your answer could not be recorded. Please try again.';
    }
  }

  async function setFeedback(chatId: string, messageId: string, body: FeedbackRequest): Promise<string | null> {
    try {
      const { feedback } = await api.putFeedback(messageId, body);
      const patch = withFeedback(get(), chatId, messageId, feedback);
      if (patch) store.setState(patch);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : 'Your feedback could not be saved.';
    }
  }

  return {
    refresh,
    decideConsent,
    setFeedback,
    dispose() {
      unsubscribeConnection();
      unsubscribeStore();
    },
  };
}
