// What the write batch costs inside SQLite alone: the SQLite write batch's statements replayed through
// better-sqlite3 on Parley's schema (every migration), without the server. Used for the
// wal_autocheckpoint and index measurements in docs/performance.md; run it on a pinned core:
//
//   taskset -c 0 pnpm exec tsx scripts/bench/sqlite-write-cost.ts [variant …]
//
// variants: default, wal=<pages> (wal_autocheckpoint), without=<index name> (drop an index first).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_BATCH_SQL } from '../../apps/server/src/chats/sqlite-write-batch.ts';
import { REPO_ROOT } from './lib/processes.ts';
import { percentile, round } from './lib/stats.ts';

const CHATS = 1000;
const MESSAGES = 100_000;
const BATCH = 9; // the mean batch size at 2,000 msg/s (pnpm bench --only=send-ack)

function measure(variant: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sqlite-cost-'));
  const db = new Database(path.join(dir, 'cost.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const migrations = path.join(REPO_ROOT, 'prisma/migrations');
  for (const name of fs.readdirSync(migrations).filter((n) => fs.existsSync(path.join(migrations, n, 'migration.sql'))).sort()) {
    db.exec(fs.readFileSync(path.join(migrations, name, 'migration.sql'), 'utf8'));
  }
  for (const option of variant.split(',')) {
    const [key, value] = option.split('=');
    if (key === 'wal') db.pragma(`wal_autocheckpoint = ${Number(value)}`);
    else if (key === 'without') db.exec(`DROP INDEX "${value}"`);
  }
  const at = () => new Date().toISOString().replace('Z', '+00:00');
  const chats = Array.from({ length: CHATS }, () => ({ id: randomUUID(), count: 0 }));
  const addUser = db.prepare('INSERT INTO "User" ("id", "username", "createdAt") VALUES (?, ?, ?)');
  const addChat = db.prepare(`INSERT INTO "Chat" ("id", "userId", "title", "createdAt", "messageCount") VALUES (?, ?, 'New chat', ?, 0)`);
  db.transaction(() =>
    chats.forEach((chat, i) => {
      const userId = randomUUID();
      addUser.run(userId, `u${i}`, at());
      addChat.run(chat.id, userId, at());
    }),
  )();
  // The statements of apps/server/src/chats/sqlite-write-batch.ts, in the same order.
  const readChat = db.prepare(SQLITE_BATCH_SQL.readChat);
  const findStored = db.prepare(SQLITE_BATCH_SQL.findStored);
  const insert = db.prepare(SQLITE_BATCH_SQL.insert);
  const update = db.prepare(SQLITE_BATCH_SQL.updateChat);
  const batch = db.transaction((items: typeof chats) => {
    const now = at();
    for (const chat of items) {
      readChat.get(chat.id);
      findStored.get(chat.id, `m${chat.count + 1}`);
      chat.count += 1;
      insert.run(randomUUID(), chat.id, chat.count, `bench message ${chat.count}`, `m${chat.count}`, now, now);
      update.run(chat.count, now, 'A title', chat.id);
    }
  });
  const durations: number[] = [];
  const cpu = process.cpuUsage();
  let next = 0;
  for (let b = 0; b < MESSAGES / BATCH; b += 1) {
    // Each batch's messages go to different chats, as 1,000 participants' messages do.
    const items = Array.from({ length: BATCH }, () => chats[(next++ * 7919) % CHATS]!);
    const started = performance.now();
    batch.immediate(items);
    durations.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  durations.sort((a, b) => a - b);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    variant,
    cpuUsPerMessage: round((used.user + used.system) / MESSAGES, 1),
    kernelUsPerMessage: round(used.system / MESSAGES, 1),
    batchP99Ms: round(percentile(durations, 99)),
    batchP999Ms: round(percentile(durations, 99.9)),
    batchMaxMs: round(durations[durations.length - 1]!),
  };
}

for (const variant of process.argv.slice(2).length ? process.argv.slice(2) : ['default']) console.log(JSON.stringify(measure(variant)));
