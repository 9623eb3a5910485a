import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * Which engine the backend tests run on: TEST_DATABASE=postgresql runs the same suite against a
 * real PostgreSQL server (a fresh database per test server, dropped afterwards); the default is SQLite.
 */
export const TEST_ENGINE: 'sqlite' | 'postgresql' = process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database that only this test uses. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

export async function createTestDatabase(dir: string, engine = TEST_ENGINE): Promise<TestDatabase> {
  if (engine === 'postgresql') return createPostgresDatabase();
  return { url: `file:${path.join(dir, 'parley.db')}`, drop: async () => {} };
}

/** Runs SQL straight against a test database, outside the server (`?` placeholders on both engines). */
export async function rawQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length));
    try {
      const statement = db.prepare(sql);
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let n = 0;
    const result = await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
    return result.rows as T[];
  } finally {
    await client.end();
  }
}
