// End-to-end tests of the operations scripts: the REAL scripts start, supervise, back up and stop the REAL
// backend and frontend server, as a second Parley instance on free ports with its own PM2_HOME, data and
// logs in a temp folder, so a Parley already running on this machine is never touched.
//
// The tests share one instance and run in order (start → idempotent start → monitor → backup → crashes →
// rotation → stop → restore → refusals → keep-alive). afterAll kills whatever is left, even after a failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const PM2 = path.join(ROOT, 'node_modules', '.bin', 'pm2');
const requireFromServer = createRequire(path.join(ROOT, 'apps', 'server', 'package.json'));
const Database = requireFromServer('better-sqlite3') as typeof import('better-sqlite3');

// A short base path: pm2's unix sockets live in PM2_HOME and socket paths are limited to ~107 bytes.
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-ops-'));
const PM2_HOME = path.join(TMP, '.pm2');
const LOG_DIR = path.join(TMP, 'logs');
const DATA_DIR = path.join(TMP, 'data');
const BACKUP_DIR = path.join(DATA_DIR, 'backups');
let BACKEND_PORT = 0;
let FRONTEND_PORT = 0;

// ---------------------------------------------------------------------------------------------- helpers

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The environment the scripts run with: only what a login shell would have, plus this instance's
 * settings. The test runner's own variables (NODE_ENV=test, VITEST_*, a developer's PORT or
 * DATABASE_URL) must not leak into the apps, and the repository's .env must not point them elsewhere.
 */
function scriptEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL', 'npm_config_nodedir'];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  return {
    ...env,
    PM2_HOME,
    LOG_DIR,
    PARLEY_DATA_DIR: DATA_DIR,
    DATABASE_URL: `file:${path.join(DATA_DIR, 'parley.db')}`,
    AGENT_CONFIG: path.join(DATA_DIR, 'agent.json'),
    ACCESS_CODE: '',
    BACKEND_PORT: String(BACKEND_PORT),
    FRONTEND_PORT: String(FRONTEND_PORT),
    // Short graceful-shutdown window so that stops and kill_timeout (this + 5 s) stay fast.
    SHUTDOWN_TIMEOUT_MS: '3000',
    START_TIMEOUT_SECONDS: '60',
    MONITOR_GRACE_SECONDS: '15',
    ...extra,
  };
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/<name> with sh from an unrelated working directory (the scripts must not depend on it). */
function runScript(name: string, args: string[] = [], extra: Record<string, string> = {}, timeoutMs = 150_000): Promise<Result> {
  // Never `pnpm install` from inside a test run: other test files use node_modules at the same time.
  // (scripts/test.sh and CI install first, so start_services.sh would find nothing to install anyway.)
  if (name === 'start_services.sh' && !args.includes('--help')) args = ['--skip-install', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [path.join(ROOT, 'scripts', name), ...args], { cwd: TMP, env: scriptEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} ${args.join(' ')} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectSuccess(r: Result): void {
  expect(r.code, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
}

interface Pm2App {
  name: string;
  pid: number;
  status: string;
  restarts: number;
}

/** pm2's own view, straight from `pm2 jlist` (only call while the daemon is meant to be running). */
async function pm2Apps(): Promise<Pm2App[]> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(PM2, ['jlist'], { env: scriptEnv({ PM2_DISCRETE_MODE: '1', PM2_DISABLE_VERSION_CHECK: '1' }) });
    let s = '';
    child.stdout.on('data', (d: Buffer) => (s += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(s));
  });
  const line = out.split('\n').filter((l) => l.startsWith('[')).pop() ?? '[]';
  return (JSON.parse(line) as Array<{ name: string; pid: number; pm2_env: { status: string; restart_time: number } }>).map((p) => ({
    name: p.name,
    pid: p.pid,
    status: p.pm2_env.status,
    restarts: p.pm2_env.restart_time,
  }));
}

async function appPid(name: string): Promise<number> {
  const apps = (await pm2Apps()).filter((a) => a.name === name);
  expect(apps, `exactly one ${name} in pm2`).toHaveLength(1);
  expect(apps[0]!.status).toBe('online');
  return apps[0]!.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child that its parent has not reaped yet is no longer running.
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every live process of this test instance (pm2 daemon, apps, their children, keep_alive): found by PM2_HOME in its environment. */
function instanceProcesses(): Array<{ pid: number; name: string | null; cmd: string }> {
  const found: Array<{ pid: number; name: string | null; cmd: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string[];
    try {
      environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!environ.includes(`PM2_HOME=${PM2_HOME}`) || !alive(Number(entry))) continue;
    const name = environ.find((e) => e.startsWith('name='))?.slice(5) ?? null;
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      /* gone */
    }
    found.push({ pid: Number(entry), name, cmd });
  }
  return found;
}

async function httpStatus(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const backendUrl = (p: string) => `http://127.0.0.1:${BACKEND_PORT}${p}`;
const frontendUrl = (p: string) => `http://127.0.0.1:${FRONTEND_PORT}${p}`;

function monitorLines(): string[] {
  try {
    return fs.readFileSync(path.join(LOG_DIR, 'monitor.log'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
}

/** Calls the real REST API (through the frontend's proxy when `via` is 'frontend'). */
async function api<T>(method: string, p: string, body: unknown, token?: string, via: 'backend' | 'frontend' = 'backend'): Promise<{ status: number; json: T }> {
  const res = await fetch(via === 'frontend' ? frontendUrl(p) : backendUrl(p), {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

function backups(): string[] {
  try {
    return fs
      .readdirSync(BACKUP_DIR)
      .filter((f) => /^parley-\d{8}T\d{6}Z\.db$/.test(f))
      .sort();
  } catch {
    return [];
  }
}

async function killEverything(): Promise<void> {
  await new Promise<void>((resolve) => {
    const child = spawn(PM2, ['kill'], { env: scriptEnv({ PM2_DISCRETE_MODE: '1', PM2_DISABLE_VERSION_CHECK: '1' }), stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('error', () => resolve());
  });
  for (const p of instanceProcesses()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** The tests below that need a stopped instance call this, so that one failed test does not fail the rest. */
async function ensureStopped(): Promise<void> {
  if (instanceProcesses().length === 0) return;
  expectSuccess(await runScript('stop_services.sh'));
  expect(instanceProcesses()).toEqual([]);
}

// ---------------------------------------------------------------------------------------------- tests

beforeAll(async () => {
  BACKEND_PORT = await freePort();
  do FRONTEND_PORT = await freePort();
  while (FRONTEND_PORT === BACKEND_PORT);
});

// When a test fails, the logs say why: show their ends.
afterEach((ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  for (const file of [path.join(LOG_DIR, 'backend.log'), path.join(LOG_DIR, 'frontend.log'), path.join(LOG_DIR, 'monitor.log'), path.join(PM2_HOME, 'pm2.log')]) {
    try {
      const tail = fs.readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n');
      console.error(`--- last lines of ${file}\n${tail}`);
    } catch {
      /* not written yet */
    }
  }
});

afterAll(async () => {
  await killEverything();
  const left = instanceProcesses();
  fs.rmSync(TMP, { recursive: true, force: true });
  expect(left, 'processes left after cleanup').toEqual([]);
}, 60_000);

describe('operations scripts against the real apps', () => {
  let token = '';
  let chatId = '';
  let backupFile = '';

  it('every script answers --help without doing anything', async () => {
    for (const name of ['start_services.sh', 'stop_services.sh', 'monitor_services.sh', 'status_services.sh', 'keep_alive.sh', 'backup_db.sh', 'restore_db.sh', 'hash_password.sh']) {
      const r = await runScript(name, ['--help']);
      expectSuccess(r);
      expect(r.stdout).toContain(`Usage: scripts/${name}`);
    }
    expect(fs.existsSync(PM2_HOME), '--help must not create state').toBe(false);
  });

  it('start brings up both apps under pm2 and waits until they are healthy', async () => {
    const r = await runScript('start_services.sh', [], {}, 240_000);
    expectSuccess(r);
    expect(r.stdout).toContain('backend: healthy');
    expect(r.stdout).toContain('frontend: healthy');

    const health = await api<{ status: string }>('GET', '/health', undefined);
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('ok');
    expect(await httpStatus(frontendUrl('/healthz'))).toBe(200);
    // The frontend serves the built client.
    const page = await fetch(frontendUrl('/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root"|<script/i);

    const apps = await pm2Apps();
    expect(apps.map((a) => `${a.name}:${a.status}`).sort()).toEqual(['parley-backend:online', 'parley-frontend:online']);
    // The pid pm2 supervises is the server itself (not a pnpm or tsx wrapper), so its signals reach the server.
    const backendCmd = fs.readFileSync(`/proc/${await appPid('parley-backend')}/cmdline`, 'utf8');
    expect(backendCmd).toContain('src/main.ts');

    // Logs land in LOG_DIR with a timestamp on every line; the backend's lines are its JSON.
    const log = fs.readFileSync(path.join(LOG_DIR, 'backend.log'), 'utf8').trim().split('\n');
    const listening = log.find((l) => l.includes('parley backend listening'));
    expect(listening).toBeDefined();
    expect(listening).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d: \{/);
    expect(JSON.parse(listening!.replace(/^\S+: /, '')).port).toBe(BACKEND_PORT);
    expect(fs.readFileSync(path.join(LOG_DIR, 'frontend.log'), 'utf8').length).toBeGreaterThan(0);
  }, 300_000);

  it('start again leaves the running apps alone: same pids, no duplicates', async () => {
    const before = await pm2Apps();
    const r = await runScript('start_services.sh');
    expectSuccess(r);
    expect(r.stdout).toMatch(/backend: already running and up to date/);
    expect(r.stdout).toMatch(/frontend: already running and up to date/);
    const after = await pm2Apps();
    expect(after).toHaveLength(2);
    expect(after.map((a) => [a.name, a.pid, a.restarts]).sort()).toEqual(before.map((a) => [a.name, a.pid, a.restarts]).sort());
  }, 120_000);

  it('monitor on a healthy system changes nothing and logs one line per check', async () => {
    const before = await pm2Apps();
    const linesBefore = monitorLines().length;
    const r = await runScript('monitor_services.sh');
    expectSuccess(r);
    const added = monitorLines().slice(linesBefore);
    expect(added).toHaveLength(2);
    expect(added[0]).toMatch(/^\S+Z backend ok http=200 pid=\d+/);
    expect(added[1]).toMatch(/^\S+Z frontend ok http=200 pid=\d+/);
    const after = await pm2Apps();
    expect(after.map((a) => [a.name, a.pid, a.restarts]).sort()).toEqual(before.map((a) => [a.name, a.pid, a.restarts]).sort());
  }, 60_000);

  it('status shows both apps online and healthy', async () => {
    const r = await runScript('status_services.sh');
    expectSuccess(r);
    expect(r.stdout).toMatch(/^backend\s+online\s+\d+\s+\S+\s+0\s+\d+M\s+200\s/m);
    expect(r.stdout).toMatch(/^frontend\s+online\s+\d+\s+\S+\s+0\s+\d+M\s+200\s/m);
  }, 60_000);

  it('overlapping runs cannot fight: a monitor that finds the lock taken logs "skipped" and touches nothing', async () => {
    const before = await pm2Apps();
    // Another run (here: flock itself) holds the lock the scripts share.
    const holder = spawn('flock', [path.join(PM2_HOME, 'parley-ops.lock'), 'sleep', '30'], { stdio: 'ignore' });
    try {
      await waitFor('the lock to be taken', () => spawnSync('flock', ['-n', path.join(PM2_HOME, 'parley-ops.lock'), 'true']).status !== 0);
      const linesBefore = monitorLines().length;
      const r = await runScript('monitor_services.sh');
      expectSuccess(r);
      expect(monitorLines().slice(linesBefore)).toEqual([expect.stringMatching(/ monitor skipped another start, stop or monitor run holds the lock$/)]);
    } finally {
      holder.kill('SIGKILL');
    }
    expect((await pm2Apps()).map((a) => [a.name, a.pid]).sort()).toEqual(before.map((a) => [a.name, a.pid]).sort());
  }, 60_000);

  it('start restarts only the app whose definition changed', async () => {
    const backendPid = await appPid('parley-backend');
    const frontendPid = await appPid('parley-frontend');
    const r = await runScript('start_services.sh', [], { BACKEND_MAX_MEMORY: '900M' });
    expectSuccess(r);
    expect(r.stdout).toContain('backend: restarting (code, .env or definition changed)');
    expect(await appPid('parley-backend')).not.toBe(backendPid);
    expect(await appPid('parley-frontend'), r.stdout).toBe(frontendPid);
  }, 120_000);

  it('a hung backend (alive for pm2, silent for users) is restarted by the monitor', async () => {
    const pid = await appPid('parley-backend');
    const linesBefore = monitorLines().length;
    process.kill(pid, 'SIGSTOP');
    try {
      const r = await runScript('monitor_services.sh', [], { HEALTH_TIMEOUT_SECONDS: '2', MONITOR_GRACE_SECONDS: '2' });
      expectSuccess(r);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGCONT');
    }
    const added = monitorLines().slice(linesBefore);
    expect(added.find((l) => / backend /.test(l)), added.join('\n')).toMatch(/ backend restarted http=000 pm2=online -> http=200 pid=\d+/);
    expect(await appPid('parley-backend')).not.toBe(pid);
    expect(alive(pid)).toBe(false);
  }, 90_000);

  it('backup_db.sh copies the live database consistently: the copy opens and holds the rows', async () => {
    // Rows made through the real API, via the frontend's proxy (which must point at this backend).
    const login = await api<{ token: string }>('POST', '/api/auth/login', { username: 'ops-test' }, undefined, 'frontend');
    expect(login.status).toBe(200);
    token = login.json.token;
    const chat = await api<{ chat: { id: string } }>('POST', '/api/chats', {}, token, 'frontend');
    expect(chat.status).toBe(201);
    chatId = chat.json.chat.id;
    const sent = await api('POST', `/api/chats/${chatId}/messages`, { clientMsgId: 'before-backup', content: 'written before the backup' }, token);
    expect(sent.status).toBeLessThan(300);

    for (let i = 0; i < 3; i += 1) {
      const r = await runScript('backup_db.sh', ['--keep', '2']);
      expectSuccess(r);
      expect(r.stdout).toContain('integrity ok');
    }
    // Retention: three runs, two kept, the newest among them.
    const files = backups();
    expect(files).toHaveLength(2);
    backupFile = path.join(BACKUP_DIR, files[files.length - 1]!);

    const db = new Database(backupFile, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const user = db.prepare('SELECT id FROM "User" WHERE username = ?').get('ops-test') as { id: string } | undefined;
      expect(user).toBeDefined();
      const message = db.prepare('SELECT content FROM "Message" WHERE "chatId" = ? AND "clientMsgId" = ?').get(chatId, 'before-backup') as
        | { content: string }
        | undefined;
      expect(message?.content).toBe('written before the backup');
    } finally {
      db.close();
    }
  }, 120_000);

  it('restore refuses while the backend runs, and changes nothing', async () => {
    const dbFile = path.join(DATA_DIR, 'parley.db');
    const sizeBefore = fs.statSync(dbFile).size;
    const r = await runScript('restore_db.sh', [backupFile]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('stop_services.sh');
    expect(fs.statSync(dbFile).size).toBe(sizeBefore);
    expect(fs.readdirSync(DATA_DIR).filter((f) => f.includes('before-restore'))).toEqual([]);
    expect(await httpStatus(backendUrl('/health'))).toBe(200);
  }, 60_000);

  it('kill -9 of the backend: the monitor sees it, waits for pm2 or restarts it, and logs it', async () => {
    const oldPid = await appPid('parley-backend');
    const frontendPid = await appPid('parley-frontend');
    const linesBefore = monitorLines().length;
    process.kill(oldPid, 'SIGKILL');
    const r = await runScript('monitor_services.sh');
    expectSuccess(r);

    const added = monitorLines().slice(linesBefore);
    const backendLine = added.find((l) => / backend /.test(l));
    expect(backendLine, added.join('\n')).toMatch(/ backend (recovered|restarted) http=\d+ pm2=\S+ -> http=200 pid=\d+/);
    expect(added.find((l) => / frontend /.test(l))).toMatch(/ frontend ok /);

    const newPid = await appPid('parley-backend');
    expect(newPid).not.toBe(oldPid);
    expect(alive(oldPid)).toBe(false);
    expect(await appPid('parley-frontend')).toBe(frontendPid);
    expect(await httpStatus(backendUrl('/health'))).toBe(200);
    // Exactly one backend process of this instance: no second copy was started next to pm2's.
    expect(instanceProcesses().filter((p) => p.name === 'parley-backend' && p.cmd.includes('src/main.ts'))).toHaveLength(1);
  }, 90_000);

  it('pm2 daemon and backend killed (as by the OOM killer): the monitor brings both apps back under pm2', async () => {
    const daemonPid = Number(fs.readFileSync(path.join(PM2_HOME, 'pm2.pid'), 'utf8'));
    const backendPid = await appPid('parley-backend');
    const orphanFrontend = await appPid('parley-frontend');
    process.kill(daemonPid, 'SIGKILL');
    process.kill(backendPid, 'SIGKILL');
    await waitFor('the daemon to die', () => !alive(daemonPid));
    // Nothing brings the backend back now; the frontend keeps running, unsupervised.
    expect(alive(orphanFrontend)).toBe(true);

    const linesBefore = monitorLines().length;
    const r = await runScript('monitor_services.sh');
    expectSuccess(r);
    const added = monitorLines().slice(linesBefore);
    expect(added.find((l) => / backend /.test(l)), added.join('\n')).toMatch(/ backend started http=000 pm2=absent -> http=200/);
    expect(added.find((l) => / frontend /.test(l)), added.join('\n')).toMatch(
      new RegExp(` frontend started http=200 pm2=absent -> http=200 pid=\\d+ restarts=0 \\(stopped orphan pid ${orphanFrontend} `),
    );

    const apps = await pm2Apps();
    expect(apps.map((a) => `${a.name}:${a.status}`).sort()).toEqual(['parley-backend:online', 'parley-frontend:online']);
    expect(alive(orphanFrontend)).toBe(false);
    expect(await httpStatus(backendUrl('/health'))).toBe(200);
    expect(await httpStatus(frontendUrl('/healthz'))).toBe(200);
  }, 120_000);

  it('log rotation moves big logs aside, compressed, and the apps keep logging into the new file', async () => {
    const backendLog = path.join(LOG_DIR, 'backend.log');
    // A 4xx request is logged at info level: enough lines to pass the (test-sized) limit.
    for (let i = 0; i < 10 && fs.statSync(backendLog).size <= 2048; i += 1) await api('GET', '/api/chats/does-not-exist', undefined, token);
    expect(fs.statSync(backendLog).size).toBeGreaterThan(2048);

    const r = await runScript('monitor_services.sh', [], { LOG_MAX_BYTES: '2048', LOG_KEEP: '2' });
    expectSuccess(r);
    expect(monitorLines().at(-1)).toMatch(/ logs rotated .*backend\.log\.1/);
    const rotated = zlib.gunzipSync(fs.readFileSync(`${backendLog}.1.gz`)).toString();
    expect(rotated).toContain('parley backend listening');

    // pm2 reopened the file: a new line goes to the new backend.log, not into the rotated one.
    const marker = `after-rotation-${Date.now()}`;
    expect((await api('GET', `/api/chats/${marker}`, undefined, token)).status).toBe(404);
    await waitFor('the request log line in the new backend.log', () => fs.existsSync(backendLog) && fs.readFileSync(backendLog, 'utf8').includes(marker));
  }, 60_000);

  it('stop stops both apps gracefully, leaves no process behind, and pauses the monitor', async () => {
    const sent = await api('POST', `/api/chats/${chatId}/messages`, { clientMsgId: 'after-backup', content: 'written after the backup' }, token);
    expect(sent.status).toBeLessThan(300);
    expect(instanceProcesses().length).toBeGreaterThan(0);

    const r = await runScript('stop_services.sh');
    expectSuccess(r);
    expect(instanceProcesses()).toEqual([]);
    expect(await httpStatus(backendUrl('/health'))).toBe(0);
    expect(await httpStatus(frontendUrl('/healthz'))).toBe(0);
    // Graceful: the backend ran its shutdown (SIGINT), it was not killed.
    expect(fs.readFileSync(path.join(LOG_DIR, 'backend.log'), 'utf8')).toContain('parley backend stopped');

    // A cron run after a deliberate stop must not bring Parley back.
    const m = await runScript('monitor_services.sh');
    expectSuccess(m);
    expect(monitorLines().at(-1)).toMatch(/ monitor paused stopped by /);
    expect(instanceProcesses()).toEqual([]);

    // status reports it (exit 1: not healthy) without starting a pm2 daemon.
    const status = await runScript('status_services.sh');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^backend\s+absent\s/m);
    expect(status.stdout).toContain('monitor: paused');
    expect(instanceProcesses()).toEqual([]);
  }, 90_000);

  it('without flock, a lock directory keeps monitor runs apart, and a dead holder\'s lock is taken over', async () => {
    // A PATH with everything but flock, as on a system without util-linux's flock.
    const bin = path.join(TMP, 'bin-without-flock');
    fs.mkdirSync(bin, { recursive: true });
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir)) {
        if (name !== 'flock' && !fs.existsSync(path.join(bin, name))) fs.symlinkSync(path.join(dir, name), path.join(bin, name));
      }
    }
    const env = { PATH: bin };
    const lockDir = path.join(PM2_HOME, 'parley-ops.lock.d');
    fs.mkdirSync(lockDir, { recursive: true });
    try {
      // Held by a live process (this test runner): the run is skipped.
      fs.writeFileSync(path.join(lockDir, 'pid'), `${process.pid}\n`);
      const linesBefore = monitorLines().length;
      expectSuccess(await runScript('monitor_services.sh', [], env));
      expect(monitorLines().slice(linesBefore)).toEqual([expect.stringMatching(/ monitor skipped /)]);

      // Held by a process that died without cleaning up: taken over (here the monitor is paused, so it stops there).
      const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
      fs.writeFileSync(path.join(lockDir, 'pid'), `${dead}\n`);
      expectSuccess(await runScript('monitor_services.sh', [], env));
      expect(monitorLines().at(-1)).toMatch(/ monitor paused /);
      expect(fs.existsSync(lockDir), 'the lock directory is removed when the run ends').toBe(false);
    } finally {
      fs.rmSync(lockDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('restore puts the backup back: after a restart the API shows the rows of the backup, not the later ones', async () => {
    await ensureStopped();
    const r = await runScript('restore_db.sh', [backupFile]);
    expectSuccess(r);
    expect(fs.readdirSync(DATA_DIR).filter((f) => f.startsWith('parley.db.before-restore-'))).toHaveLength(1);

    expectSuccess(await runScript('start_services.sh'));
    const page = await api<{ messages: Array<{ clientMsgId: string | null }> }>('GET', `/api/chats/${chatId}`, undefined, token);
    expect(page.status).toBe(200);
    const ids = page.json.messages.map((m) => m.clientMsgId);
    expect(ids).toContain('before-backup');
    expect(ids).not.toContain('after-backup');

    expectSuccess(await runScript('stop_services.sh'));
    expect(instanceProcesses()).toEqual([]);
  }, 120_000);

  it('start refuses to start a second copy when a foreign process holds the port', async () => {
    await ensureStopped();
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.listen(BACKEND_PORT, '0.0.0.0', resolve);
    });
    try {
      const r = await runScript('start_services.sh');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`port ${BACKEND_PORT} is already in use`);
      expect(instanceProcesses().filter((p) => p.name !== null)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);

  it('start fails fast, naming the variable, when a setting is invalid', async () => {
    await ensureStopped();
    const r = await runScript('start_services.sh', [], { LOG_LEVEL: 'loud' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('LOG_LEVEL');
    expect(instanceProcesses().filter((p) => p.name !== null)).toEqual([]);
  }, 60_000);

  it('start exits non-zero with the end of the log when the backend keeps crashing', async () => {
    await ensureStopped();
    // Passes the migration step, then makes every listen() fail: pm2 restarts it with backoff until start gives up.
    const r = await runScript('start_services.sh', [], { HOST: '256.256.256.256' }, 120_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/backend: not healthy/);
    expect(r.stderr).toMatch(/last lines of .*backend\.log/);
    expect(r.stderr).toContain('parley backend failed to start');
    expectSuccess(await runScript('stop_services.sh'));
    expect(instanceProcesses()).toEqual([]);
  }, 150_000);

  it('keep_alive.sh runs the backend without pm2, restarts it after kill -9, and stops it on SIGTERM', async () => {
    await ensureStopped();
    const child = spawn('sh', [path.join(ROOT, 'scripts', 'keep_alive.sh')], {
      cwd: TMP,
      env: scriptEnv({ KEEPALIVE_INTERVAL_SECONDS: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor('the backend under keep_alive', async () => (await httpStatus(backendUrl('/health'))) === 200, 60_000);
      const first = instanceProcesses().filter((p) => p.cmd.includes('src/main.ts'));
      expect(first).toHaveLength(1);
      expect(fs.existsSync(path.join(PM2_HOME, 'pm2.pid')) && alive(Number(fs.readFileSync(path.join(PM2_HOME, 'pm2.pid'), 'utf8')))).toBe(false);

      process.kill(first[0]!.pid, 'SIGKILL');
      await waitFor(
        'a new backend',
        async () => (await httpStatus(backendUrl('/health'))) === 200 && instanceProcesses().some((p) => p.cmd.includes('src/main.ts') && p.pid !== first[0]!.pid),
        30_000,
      );
      expect(out).toMatch(new RegExp(`backend \\(pid ${first[0]!.pid}\\) exited with code 137`));

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('keep_alive: stopped');
      expect(fs.readFileSync(path.join(LOG_DIR, 'backend.log'), 'utf8')).toMatch(/"signal":"SIGTERM".*"shutting down"/);
      expect(instanceProcesses()).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
