import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrontendServer, type FrontendServer } from './app.ts';

// The researcher's page goes through this server too: its session cookie must reach the browser
// exactly as the backend wrote it, and a large export must flow through, not pile up here.

const COOKIE = 'parley_researcher=abc123; Path=/api/research; Expires=Wed, 21 Oct 2099 07:28:00 GMT; HttpOnly; SameSite=Strict';
let dist: string;
let backend: http.Server;
let frontend: FrontendServer;
let base: string;
/** Lets the fake export write its second half; set by the export handler. */
let releaseExport: () => void = () => {};

const listen = (server: http.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

beforeAll(async () => {
  dist = mkdtempSync(path.join(os.tmpdir(), 'parley-web-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  backend = http.createServer((req, res) => {
    if (req.url === '/api/research/login') {
      res.setHeader('set-cookie', COOKIE);
      res.setHeader('content-type', 'application/json');
      res.end('{"token":"abc123","expiresAt":"2099-10-21T07:28:00.000Z"}');
      return;
    }
    if (req.url?.startsWith('/api/research/export')) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'content-disposition': 'attachment; filename="parley-all.jsonl"' });
      res.write('{"record":"participant"}\n');
      // The rest only once the test has seen the first line arrive through the proxy.
      releaseExport = () => res.end('{"record":"conversation"}\n');
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  const backendPort = await listen(backend);
  frontend = createFrontendServer({ distDir: dist, backendUrl: `http://127.0.0.1:${backendPort}`, log: () => {} });
  base = `http://127.0.0.1:${await listen(frontend.server)}`;
});

afterAll(async () => {
  releaseExport();
  await frontend.close(100);
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

describe('frontend server, researcher routes', () => {
  it('passes the researcher cookie through unchanged (path, flags and all)', async () => {
    const res = await fetch(`${base}/api/research/login`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([COOKIE]);
  });

  it('streams the export: the first line arrives while the backend is still writing', async () => {
    const res = await fetch(`${base}/api/research/export?format=jsonl`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="parley-all.jsonl"');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the proxy held the export back')), 2_000)),
    ]);
    expect(decoder.decode(first.value)).toBe('{"record":"participant"}\n');
    releaseExport();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
    expect(rest).toBe('{"record":"conversation"}\n');
  });

  it('serves the app for /research, which the client routes itself', async () => {
    for (const route of ['/research', '/research/conversations/abc']) {
      const res = await fetch(`${base}${route}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
    }
  });
});
