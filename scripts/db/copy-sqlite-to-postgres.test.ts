import { afterEach, describe, expect, it } from 'vitest';
import { sqlitePathFromUrl } from '../../apps/server/src/db/database.ts';
import { login } from '../../apps/server/src/testing/clients.ts';
import { createPostgresDatabase, rawQuery, type TestDatabase } from '../../apps/server/src/testing/test-databases.ts';
import { startTestServer, type TestServer } from '../../apps/server/src/testing/test-server.ts';
import { copySqliteToPostgres } from './copy-sqlite-to-postgres.ts';

let sqlite: TestServer | undefined;
let postgres: TestServer | undefined;
let target: TestDatabase | undefined;
afterEach(async () => {
  await sqlite?.close();
  await postgres?.close();
  await target?.drop();
  sqlite = postgres = target = undefined;
});

describe('copying a SQLite database into PostgreSQL', () => {
  it('copies every row, verifies counts and checksums, and Parley runs on the copy', async () => {
    sqlite = await startTestServer({}, { engine: 'sqlite' });
    const alice = await login(sqlite.url, 'alice');
    const chat = (await alice.api('POST', '/api/chats')).body.chat;
    const hostile = 'Quotes " and \' and\nnewlines, émoji 🎉, =SUM(A1)';
    for (const content of ['first', hostile]) await alice.api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: content.slice(0, 10), content });
    await new Promise((r) => setTimeout(r, 300)); // let the echo replies finish
    const reply = (await alice.api('GET', `/api/chats/${chat.id}`)).body.messages.find((m: { role: string }) => m.role === 'assistant');
    expect((await alice.api('PUT', `/api/messages/${reply.id}/feedback`, { rating: 'up' })).status).toBe(200);
    await sqlite.server.stop();

    target = await createPostgresDatabase();
    const lines: string[] = [];
    const reports = await copySqliteToPostgres(sqlitePathFromUrl(sqlite.config.databaseUrl), target.url, (l) => lines.push(l));
    expect(reports.map((r) => r.table)).toEqual(expect.arrayContaining(['User', 'Session', 'Chat', 'Message']));
    expect(reports.find((r) => r.table === 'Message')!.rows).toBe(4);
    for (const r of reports) expect(r.copiedChecksum).toBe(r.checksum);

    postgres = await startTestServer({}, { database: { url: target.url, drop: async () => {} }, engine: 'postgresql' });
    const again = await login(postgres.url, 'alice');
    expect(again.user.id).toBe(alice.user.id);
    const page = (await again.api('GET', `/api/chats/${chat.id}`)).body;
    expect(page.messages.map((m: { content: string }) => m.content)).toContain(hostile);
    expect(page.messages).toHaveLength(4);
    // Tables with increasing ids continue after the copied rows.
    expect((await again.api('PUT', `/api/messages/${reply.id}/feedback`, { rating: 'down', comment: 'changed my mind' })).status).toBe(200);
  });

  it('refuses to copy into a database that already holds data', async () => {
    sqlite = await startTestServer({}, { engine: 'sqlite' });
    await login(sqlite.url, 'alice');
    await sqlite.server.stop();
    target = await createPostgresDatabase();
    await copySqliteToPostgres(sqlitePathFromUrl(sqlite.config.databaseUrl), target.url, () => {});
    await expect(copySqliteToPostgres(sqlitePathFromUrl(sqlite.config.databaseUrl), target.url, () => {})).rejects.toThrow(/not empty/);
    expect((await rawQuery<{ n: string }>(target.url, 'SELECT count(*) AS n FROM "User"'))[0]!.n).toBe('1');
  });
});
