import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient, createRequestJson } from './api/client.ts';
import { createStudyApi } from './api/studyApi.ts';
import { App } from './App.tsx';
import { browserStorage } from './browserStorage.ts';
import { AppServicesProvider, type AppServices } from './AppContext.tsx';
import { Connection, socketUrlFor } from './connection/connection.ts';
import { createLazyMarkdown } from './markdown/lazyMarkdown.ts';
import { readParticipantIds } from './participant/participantIds.ts';
import { createBrowserRouter, isResearchPath } from './router.ts';
import { createChatController } from './store/controller.ts';
import { createAppStore } from './store/createAppStore.ts';
import { createDrafts } from './store/drafts.ts';
import { createStudyController } from './store/studyController.ts';
import { connectTelemetryToBrowser, createTelemetryTransport, renderedLengthIn } from './telemetry/browser.ts';
import { telemetryPolicy } from './telemetry/policy.ts';
import { TelemetryQueue } from './telemetry/queue.ts';
import { createTelemetryTracker } from './telemetry/tracker.ts';
import { withPressTelemetry } from './telemetry/withPressTelemetry.ts';
import './styles/index.css';

const root = createRoot(document.getElementById('root')!);

if (isResearchPath(window.location.pathname)) {
  // The researcher's page is its own chunk: participants never download it.
  void import('./research/startResearchPage.tsx').then(({ startResearchPage }) => startResearchPage(root));
} else {
  startParticipantApp();
}

// The composition root: the only place that creates the API clients, the socket, the store, the
// controllers and telemetry, and hands them to the component tree.
function startParticipantApp(): void {
  const api = createApiClient();
  const studyApi = createStudyApi(createRequestJson());
  const connection = new Connection({ url: socketUrlFor(window.location), onlineEvents: window });
  const store = createAppStore();
  const router = createBrowserRouter(window);
  const participant = readParticipantIds(window.location.search);
  const drafts = createDrafts(browserStorage('sessionStorage'));
  const chatController = createChatController({ store, api, connection, router, participant, drafts });
  const study = createStudyController({ store, api: studyApi, connection, openChat: (chatId) => void chatController.openChat(chatId) });

  const telemetry = new TelemetryQueue({
    transport: createTelemetryTransport(connection, navigator),
    policy: () => telemetryPolicy(store.getState()),
  });
  const tracker = createTelemetryTracker({
    store,
    queue: telemetry,
    afterPaint: (callback) => requestAnimationFrame(() => callback()),
    renderedLength: renderedLengthIn(document),
  });
  connectTelemetryToBrowser(window, tracker, telemetry);
  const controller = withPressTelemetry(chatController, tracker);

  const markdown = createLazyMarkdown(async () => (await import('./markdown/render.ts')).createMarkdownRenderer(window));
  const services: AppServices = { store, controller, markdown, study, drafts, participant };

  root.render(
    <StrictMode>
      <AppServicesProvider services={services}>
        <App />
      </AppServicesProvider>
    </StrictMode>,
  );

  void controller.bootstrap();
  // Fetch the Markdown code right after start-up, while the participant logs in or the chat loads.
  void markdown.load().catch(() => setTimeout(() => void markdown.load(), 5_000));
}
