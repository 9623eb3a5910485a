import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from './api/client.ts';
import { App } from './App.tsx';
import { AppServicesProvider, type AppServices } from './AppContext.tsx';
import { Connection, socketUrlFor } from './connection/connection.ts';
import { createLazyMarkdown } from './markdown/lazyMarkdown.ts';
import { createBrowserRouter } from './router.ts';
import { createChatController } from './store/controller.ts';
import { createAppStore } from './store/createAppStore.ts';
import './styles/index.css';

// The composition root: the only place that creates the API client, the socket, the store and
// the controller, and hands them to the component tree.
const api = createApiClient();
const connection = new Connection({ url: socketUrlFor(window.location), onlineEvents: window });
const store = createAppStore();
const router = createBrowserRouter(window);
const controller = createChatController({ store, api, connection, router });
const markdown = createLazyMarkdown(async () => (await import('./markdown/render.ts')).createMarkdownRenderer(window));
const services: AppServices = { store, controller, markdown };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppServicesProvider services={services}>
      <App />
    </AppServicesProvider>
  </StrictMode>,
);

void controller.bootstrap();
// Fetch the Markdown code right after start-up, while the participant logs in or the chat loads.
void markdown.load().catch(() => setTimeout(() => void markdown.load(), 5_000));
