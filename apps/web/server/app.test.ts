import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrontendServer, type FrontendServer } from './app.ts';

const INLINE = "document.documentElement.dataset.theme='dark';";
let dist: string;
let backend: http.Server;
let backendRequests: http.IncomingMessage[];
let frontend: FrontendServer;
let base: string;

const listen = (server: http.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

/** A stand-in backend: echoes what it received for /api, and accepts WebSocket upgrades on /ws by hand. */
function fakeBackend(): http.Server {
  const server = http.createServer((req, res) => {
    backendRequests.push(req);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, host: req.headers.host, forwardedFor: req.headers['x-forwarded-for'] ?? null }));
  });
  server.on('upgrade', (req, socket) => {
    socket.on('end', () => socket.destroy()); // the proxy half-closes when its client goes away
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.write(`hello from backend ${req.url}`);
  });
  return server;
}

beforeAll(async () => {
  dist = mkdtempSync(path.join(os.tmpdir(), 'parley-web-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), `<!doctype html><script>${INLINE}</script><div id="root"></div>`);
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(dist, 'favicon.svg'), '<svg/>');
  backendRequests = [];
  backend = fakeBackend();
  const backendPort = await listen(backend);
  frontend = createFrontendServer({ distDir: dist, backendUrl: `http://127.0.0.1:${backendPort}`, log: () => {} });
  base = `http://127.0.0.1:${await listen(frontend.server)}`;
});

afterAll(async () => {
  await frontend.close(100);
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

describe('frontend server', () => {
  it('answers its own health check', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the app for client-side routes, uncached, with a CSP that allows only its inline script', async () => {
    for (const route of ['/', '/c/some-chat-id', '/index.html']) {
      const res = await fetch(`${base}${route}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root">');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).toContain(`ws://${new URL(base).host}`);
      expect(csp).toContain("img-src 'self' data:;");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('caches hashed assets for a year and 404s a missing one instead of sending HTML', async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const icon = await fetch(`${base}/favicon.svg`);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    const missing = await fetch(`${base}/assets/index-old999.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).not.toContain('html');
  });

  it('proxies /api with the path and the Host header unchanged, and says who the client is', async () => {
    const res = await fetch(`${base}/api/chats/abc?limit=5`);
    const body = (await res.json()) as { url: string; host: string; forwardedFor: string };
    expect(body.url).toBe('/api/chats/abc?limit=5');
    expect(body.host).toBe(new URL(base).host); // same-origin check on the backend depends on this
    expect(body.forwardedFor).toContain('127.0.0.1');
  });

  it('proxies the WebSocket upgrade on /ws and refuses upgrades elsewhere', async () => {
    const port = Number(new URL(base).port);
    const upgrade = (url: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET ${url} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        });
        let received = '';
        socket.on('data', (chunk) => {
          received += chunk.toString();
          if (received.includes('hello from backend')) socket.destroy();
        });
        socket.on('close', () => resolve(received));
        setTimeout(() => socket.destroy(), 2_000);
      });
    const ws = await upgrade('/ws');
    expect(ws).toContain('101 Switching Protocols');
    expect(ws).toContain('hello from backend /ws');
    expect(await upgrade('/elsewhere')).toContain('404');
  });

  it('answers with the backend error shape when the backend is down', async () => {
    const down = createFrontendServer({ distDir: dist, backendUrl: 'http://127.0.0.1:1', log: () => {} });
    const downBase = `http://127.0.0.1:${await listen(down.server)}`;
    const res = await fetch(`${downBase}/api/me`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    await down.close(100);
  });

  it('refuses to start without a built client', () => {
    expect(() => createFrontendServer({ distDir: path.join(dist, 'nope'), backendUrl: 'http://127.0.0.1:1' })).toThrow(/build the client first/);
  });
});
