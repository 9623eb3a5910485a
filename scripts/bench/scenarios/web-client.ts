import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { createChats, loginMany } from '../lib/accounts.ts';
import { closeAll, connectMany } from '../lib/client.ts';
import type { BenchContext, ScenarioResult } from '../lib/context.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { freePort, nodeTsArgs, REPO_ROOT, spawnServer, waitHealthy } from '../lib/processes.ts';
import { startParley, type ParleyServerProcess } from '../lib/servers.ts';
import { median, round } from '../lib/stats.ts';

export interface WebSizes {
  /** User messages seeded into one chat. */
  messages: number;
  /** Tokens of the reply streamed while long tasks are watched. */
  tokens: number;
  /** Agent pace for that reply: faster than any model, so the client's per-token work shows. */
  echoDelayMs: number;
  /** Page loads of the long chat; the median is reported. */
  loads: number;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The JavaScript index.html loads before anything else (entry scripts and their modulepreloads), gzipped. */
function firstLoadJs(distDir: string) {
  const html = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  const files = [...new Set(scripts)].map((src) => {
    const bytes = fs.readFileSync(path.join(distDir, src.replace(/^\//, '')));
    return { file: src, bytes: bytes.length, gzipBytes: zlib.gzipSync(bytes, { level: 9 }).length };
  });
  if (files.length === 0) throw new Error('index.html loads no module script');
  return { files, gzipKiB: round(files.reduce((n, f) => n + f.gzipBytes, 0) / 1024, 1), rawKiB: round(files.reduce((n, f) => n + f.bytes, 0) / 1024, 1) };
}

/** Milliseconds from navigation start until the newest message is shown and the message box is enabled. */
async function loadUntilUsable(page: Page, url: string, newestText: string): Promise<number> {
  await page.goto(url);
  const usable = await page.waitForFunction(
    (text) => {
      const input = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]');
      const users = document.querySelectorAll('article.message--user');
      const last = users[users.length - 1];
      return input && !input.disabled && last?.textContent?.includes(text) ? performance.now() : false;
    },
    newestText,
    { polling: 'raf', timeout: 30_000 },
  );
  return round((await usable.jsonValue()) as number, 0);
}

/**
 * Scenario 6: the web client, built for production and served by its own frontend server in front of
 * the real backend, in headless Chromium: first-load JS size, a 5,000-message chat's time to usable,
 * and long tasks while a long reply streams.
 */
export async function webClientScenario(ctx: BenchContext, sizes: WebSizes): Promise<ScenarioResult> {
  ctx.log(`web client: build, ${sizes.messages}-message chat, ${sizes.tokens}-token reply`);
  const distDir = path.join(ctx.dir, 'web-dist');
  // Built into the run's own directory: the checked-out apps/web/dist may be in use by someone else.
  const build = spawnSync('pnpm', ['--filter', '@parley/web', 'build', '--outDir', distDir, '--emptyOutDir'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`web build failed:\n${build.stdout}\n${build.stderr}`);
  const bundle = firstLoadJs(distDir);
  ctx.log(`  first-load JS: ${bundle.gzipKiB} KiB gzipped (${bundle.rawKiB} KiB raw)`);

  // Seed the chat over sockets with the agent off (exactly `messages` messages), then restart with it on.
  const dir = path.join(ctx.dir, 'web');
  let parley: ParleyServerProcess | null = await startParley({ dir, pin: ctx.pin, heartbeatIntervalMs: ctx.heartbeatIntervalMs, echoDelayMs: sizes.echoDelayMs, env: { AGENT_REPLIES: 'false' } });
  let frontend: Awaited<ReturnType<typeof spawnServer>> | null = null;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const [user] = await loginMany(parley.url, `${ctx.runId}-web`, 1);
    await createChats(parley.url, [user!]);
    const seeders = Array.from({ length: 10 }, () => user!);
    const sockets = await connectMany(parley.wsUrl, seeders.length, 100, () => user!.token);
    const seeded = await runOpenLoop({ sockets, participants: seeders, rate: 2000, durationMs: (sizes.messages / 2000) * 1000, prefix: `${ctx.runId}-web`, drainMs: 30_000 });
    await closeAll(sockets);
    if (seeded.acked !== sizes.messages) throw new Error(`seeding stored ${seeded.acked} of ${sizes.messages} messages`);
    await parley.stop();
    parley = await startParley({ ...parley.options, env: {}, agent: { provider: 'echo', echoDelayMs: sizes.echoDelayMs } });
    // One exchange with the agent closes the seeded run of user messages: the agent reads consecutive
    // user messages as one turn, so without it the `/long` command below would not start a turn.
    const newestText = `${ctx.runId} warm-up`;
    const api = (pathname: string, body?: unknown) =>
      fetch(parley!.url + pathname, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${user!.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((res) => res.json() as Promise<any>);
    await api(`/api/chats/${user!.chatId}/messages`, { clientMsgId: `${ctx.runId}-warm-up`, content: newestText });
    const warmUntil = performance.now() + 30_000;
    for (;;) {
      const detail = await api(`/api/chats/${user!.chatId}?limit=1`);
      if (detail.messages[0]?.role === 'assistant' && detail.messages[0].status === 'complete') break;
      if (performance.now() > warmUntil) throw new Error('the warm-up reply did not complete');
      await new Promise((r) => setTimeout(r, 100));
    }

    const webPort = await freePort();
    const webLog = path.join(ctx.dir, 'web.log');
    frontend = spawnServer(
      nodeTsArgs(path.join(REPO_ROOT, 'apps/web/server/main.ts')),
      { ...process.env, NODE_ENV: 'production', WEB_PORT: String(webPort), HOST: '127.0.0.1', BACKEND_URL: parley.url, WEB_DIST_DIR: distDir },
      webLog,
      ctx.pin,
    );
    const webUrl = `http://127.0.0.1:${webPort}`;
    await waitHealthy(`${webUrl}/healthz`, frontend, webLog);

    const context = await browser.newContext({ baseURL: webUrl });
    // The browser's own cookie jar gets the session, exactly as the login form would leave it.
    const login = await context.request.post('/api/auth/login', { data: { username: user!.username } });
    if (!login.ok()) throw new Error(`login through the frontend failed: ${login.status()}`);
    const loads: number[] = [];
    let page = await context.newPage();
    for (let i = 0; i < sizes.loads; i += 1) {
      await page.close();
      page = await context.newPage();
      loads.push(await loadUntilUsable(page, `/c/${user!.chatId}`, newestText));
    }
    const usableMs = median(loads);
    ctx.log(`  ${sizes.messages}-message chat usable after ${loads.join(', ')} ms`);

    // Stream a long reply into the open page and watch the main thread.
    await page.evaluate(() => {
      const durations: number[] = [];
      (window as unknown as { benchLongTasks: number[] }).benchLongTasks = durations;
      new PerformanceObserver((list) => list.getEntries().forEach((entry) => durations.push(entry.duration))).observe({ type: 'longtask' });
    });
    const agentBefore = await page.locator('article.message--agent').count();
    const streamStarted = performance.now();
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill(`/long ${sizes.tokens}`);
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await page.locator('article.message--agent').nth(agentBefore).waitFor();
    await page.waitForFunction(
      (index) => document.querySelectorAll('article.message--agent')[index]?.getAttribute('data-status') === 'complete',
      agentBefore,
      { timeout: sizes.tokens * sizes.echoDelayMs * 5 + 30_000 },
    );
    const streamSeconds = round((performance.now() - streamStarted) / 1000, 1);
    const longTasks = (await page.evaluate(() => (window as unknown as { benchLongTasks: number[] }).benchLongTasks)).map((d) => round(d, 0));
    const shownWords = (await page.locator('article.message--agent').nth(agentBefore).locator('.markdown').innerText()).trim().split(/\s+/).length;
    const longest = Math.max(0, ...longTasks);
    ctx.log(`  ${sizes.tokens}-token reply in ${streamSeconds} s; long tasks: ${longTasks.length ? longTasks.join(', ') + ' ms' : 'none'}; words shown ${shownWords}`);
    await context.close();

    return {
      scenario: 'web',
      figures: [
        { metric: 'first-load JS, gzipped', parley: bundle.gzipKiB, baseline: null, unit: 'KiB', target: '≤ 150', pass: bundle.gzipKiB <= 150 },
        { metric: `${sizes.messages}-message chat usable after (median of ${sizes.loads} loads)`, parley: usableMs, baseline: null, unit: 'ms', target: '≤ 1000', pass: usableMs <= 1000 },
        { metric: `longest task while a ${sizes.tokens}-token reply streams (${longTasks.length} over 50 ms)`, parley: longest, baseline: null, unit: 'ms', target: '≤ 50', pass: longest <= 50 },
        { metric: 'reply shown complete (words)', parley: shownWords, baseline: null, target: String(sizes.tokens), pass: shownWords === sizes.tokens },
      ],
      details: { bundle, loadsMs: loads, longTasksMs: longTasks, streamSeconds, echoDelayMs: sizes.echoDelayMs, messages: sizes.messages },
    };
  } finally {
    await browser.close();
    await frontend?.stop();
    await parley?.stop();
  }
}
