import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import express, { type Request, type Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

export interface FrontendServerOptions {
  /** The built client (apps/web/dist). */
  distDir: string;
  /** Where /api and /ws go, e.g. http://127.0.0.1:8000. */
  backendUrl: string;
  log?: (line: string) => void;
}

export interface FrontendServer {
  server: http.Server;
  /** Stops accepting, lets requests finish, then cuts open sockets (WebSockets included) after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

const YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * The production frontend: the built single-page app plus a same-origin proxy to the backend,
 * so the session cookie and the backend's Origin check work without CORS. The Host header is
 * passed through unchanged (no changeOrigin) because the backend accepts a request only when
 * its Origin names the same host as its Host header.
 */
export function createFrontendServer(options: FrontendServerOptions): FrontendServer {
  const log = options.log ?? ((line: string) => console.log(line));
  const indexPath = path.join(options.distDir, 'index.html');
  if (!existsSync(indexPath)) {
    throw new Error(`${indexPath} does not exist: build the client first (pnpm --filter @parley/web build).`);
  }
  const indexHtml = readFileSync(indexPath, 'utf8');
  const securityHeaders = headersFor(indexHtml);

  const proxy = createProxyMiddleware<Request, Response>({
    target: options.backendUrl,
    changeOrigin: false,
    xfwd: true, // the backend rate-limits logins per client address
    pathFilter: ['/api', '/ws'],
    // WebSocket upgrades are wired by hand below, for every upgrade including the very first request.
    ws: false,
    on: {
      error(error, req, res) {
        log(`[frontend] proxy error for ${req.method} ${req.url}: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
        if (!('writeHead' in res)) {
          (res as Duplex).destroy();
          return;
        }
        const response = res as http.ServerResponse;
        if (!response.headersSent) {
          // The same error shape as the backend's own, so the client shows a proper message.
          response.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        }
        response.end(JSON.stringify({ error: { code: 'unavailable', message: 'The Parley server is not reachable right now. Please try again shortly.' } }));
      },
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });

  app.use(proxy);

  // The page itself always comes with its security headers, also when asked for by its file name.
  const sendApp: express.RequestHandler = (req, res) => {
    res.set({ 'cache-control': 'no-cache', 'content-type': 'text/html; charset=utf-8', ...securityHeaders(req.headers.host) }).send(indexHtml);
  };
  app.get('/index.html', sendApp);

  app.use(
    express.static(options.distDir, {
      index: false,
      setHeaders(res, filePath) {
        // Files under assets/ carry a content hash in their name: they never change, cache for a year.
        const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
        res.setHeader('cache-control', hashed ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache');
      },
    }),
  );

  // Client-side routes such as /c/<id> get the app; a missing asset stays a 404 so a stale page
  // never receives HTML where it expected JavaScript.
  app.get('/{*path}', (req, res) => {
    if (req.path.startsWith('/assets/') || path.extname(req.path) !== '') {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    sendApp(req, res, () => {});
  });

  const server = http.createServer(app);
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    proxy.upgrade(req as Request, socket as never, head);
  });

  return {
    server,
    close(graceMs = 5_000) {
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          for (const socket of upgraded) socket.destroy();
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        // Proxied WebSockets are long-lived by design: end them now so clients reconnect elsewhere.
        for (const socket of upgraded) socket.end();
        server.closeIdleConnections();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

/**
 * Security headers for the HTML page. The Content-Security-Policy allows only this origin's
 * scripts plus the inline theme script of index.html (by hash), which blocks injected scripts
 * even if sanitizing ever failed.
 */
function headersFor(indexHtml: string): (host: string | undefined) => Record<string, string> {
  const inlineScripts = [...indexHtml.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1] ?? '').digest('base64')}'`,
  );
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${inlineScripts.join(' ')}`.trim(),
    // React sets style attributes (the auto-growing textarea); no inline <style> elements are used.
    "style-src 'self' 'unsafe-inline'",
    // Agent replies never load images from elsewhere (markdown/render.ts turns them into links).
    "img-src 'self' data:",
    'connect-src %CONNECT%',
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
  return (host) => {
    // Older Safari does not let 'self' cover ws:/wss:, so the page's own socket URL is named too.
    const safeHost = host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? host : null;
    const connect = safeHost ? `'self' ws://${safeHost} wss://${safeHost}` : "'self'";
    return {
      'content-security-policy': csp.replace('%CONNECT%', connect),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'x-frame-options': 'DENY',
    };
  };
}
