import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFrontendServer } from './app.ts';

// `pnpm --filter @parley/web start`: serves the built client and proxies /api and /ws.
// WEB_PORT wins over PORT so a shell that exports PORT for the backend cannot move the frontend.
const port = Number(process.env.WEB_PORT ?? process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
const backendUrl = process.env.BACKEND_URL ?? 'http://127.0.0.1:8000';
const distDir = process.env.WEB_DIST_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

let frontend: ReturnType<typeof createFrontendServer>;
try {
  frontend = createFrontendServer({ distDir, backendUrl, log });
} catch (error) {
  console.error(`[frontend] ${(error as Error).message}`);
  process.exit(1);
}

frontend.server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(`[frontend] cannot listen on ${host}:${port}: ${error.code ?? error.message}`);
  process.exit(1);
});

frontend.server.listen(port, host, () => {
  log(`[frontend] serving ${distDir} on http://${host}:${port}, proxying /api and /ws to ${backendUrl}`);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`[frontend] ${signal}: shutting down`);
    void frontend.close().then(() => {
      log('[frontend] stopped');
      process.exit(0);
    });
  });
}
