import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../config/paths.ts';
import { renderPostgresSchema } from '../../../../scripts/db/postgres-schema.ts';
import { createPostgresDatabase, rawQuery } from '../testing/test-databases.ts';
import { POSTGRES_MIGRATIONS_DIR, SQLITE_MIGRATIONS_DIR } from './database.ts';
import { migratePostgres, migrateSqlite, MigrationError, readMigrations } from './migrations.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migrate-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The models, fields and indexes that schema.prisma declares, read from the schema text itself. */
function declaredSchema() {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'prisma', 'schema.prisma'), 'utf8');
  const models = new Map<string, { columns: Map<string, { type: string; optional: boolean }>; indexes: { unique: boolean; columns: string[] }[] }>();
  for (const [, name, body] of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const columns = new Map<string, { type: string; optional: boolean }>();
    const indexes: { unique: boolean; columns: string[] }[] = [];
    for (const rawLine of body!.split('\n')) {
      const line = rawLine.replace(/\/\/.*$/, '').trim();
      const block = line.match(/^@@(unique|index)\(\[([^\]]+)\]/);
      if (block) {
        indexes.push({ unique: block[1] === 'unique', columns: block[2]!.split(',').map((c) => c.trim()) });
        continue;
      }
      const field = line.match(/^(\w+)\s+(\w+)(\??)(\[\])?/);
      if (!field || field[4] || line.includes('@relation')) continue;
      const [, fieldName, type, optional] = field;
      if (!['String', 'Int', 'DateTime', 'Boolean', 'Float', 'BigInt', 'Json'].includes(type!)) continue;
      columns.set(fieldName!, { type: type!, optional: optional === '?' });
      if (/@unique\b/.test(line)) indexes.push({ unique: true, columns: [fieldName!] });
    }
    models.set(name!, { columns, indexes });
  }
  return models;
}

const SQLITE_TYPES: Record<string, string> = { String: 'TEXT', Int: 'INTEGER', DateTime: 'DATETIME', Boolean: 'BOOLEAN', Float: 'REAL', BigInt: 'BIGINT', Json: 'JSONB' };

describe('migrations', () => {
  it('build exactly the schema that schema.prisma declares (fails when the two drift apart)', () => {
    const file = path.join(tempDir(), 'drift.db');
    migrateSqlite(file, SQLITE_MIGRATIONS_DIR);
    const db = new Database(file, { readonly: true });
    try {
      const declared = declaredSchema();
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations'").all() as { name: string }[]).map((t) => t.name);
      expect(tables.sort()).toEqual([...declared.keys()].sort());
      for (const [model, { columns, indexes }] of declared) {
        const actual = db.prepare(`PRAGMA table_info("${model}")`).all() as { name: string; type: string; notnull: number }[];
        expect(actual.map((c) => c.name).sort(), `columns of ${model}`).toEqual([...columns.keys()].sort());
        for (const column of actual) {
          const want = columns.get(column.name)!;
          expect(column.type, `${model}.${column.name} type`).toBe(SQLITE_TYPES[want.type]);
          expect(column.notnull === 0, `${model}.${column.name} nullability`).toBe(want.optional);
        }
        const actualIndexes = (db.prepare(`PRAGMA index_list("${model}")`).all() as { name: string; unique: number; origin: string }[])
          .filter((i) => i.origin === 'c')
          .map((i) => ({
            unique: i.unique === 1,
            columns: (db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name),
          }));
        const key = (i: { unique: boolean; columns: string[] }) => `${i.unique ? 'unique' : 'index'}(${i.columns.join(',')})`;
        expect(actualIndexes.map(key).sort(), `indexes of ${model}`).toEqual(indexes.map(key).sort());
      }
    } finally {
      db.close();
    }
  });

  it('apply once, record themselves as Prisma does, and are a no-op the second time', () => {
    const file = path.join(tempDir(), 'twice.db');
    const first = migrateSqlite(file, SQLITE_MIGRATIONS_DIR);
    expect(first.applied).toEqual(readMigrations(SQLITE_MIGRATIONS_DIR).map((m) => m.name));
    const second = migrateSqlite(file, SQLITE_MIGRATIONS_DIR);
    expect(second).toEqual({ applied: [], alreadyApplied: first.applied.length });
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT migration_name, checksum, finished_at FROM _prisma_migrations').all() as { checksum: string; finished_at: string }[];
    db.close();
    expect(rows).toHaveLength(first.applied.length);
    expect(rows[0]!.checksum).toBe(readMigrations(SQLITE_MIGRATIONS_DIR)[0]!.checksum);
    expect(rows[0]!.finished_at).toBeTruthy();
  });

  it('refuse to run when an applied migration was edited afterwards', () => {
    const dir = tempDir();
    const migrations = path.join(dir, 'migrations');
    fs.cpSync(SQLITE_MIGRATIONS_DIR, migrations, { recursive: true });
    const file = path.join(dir, 'edited.db');
    migrateSqlite(file, migrations);
    const first = readMigrations(migrations)[0]!;
    fs.appendFileSync(path.join(migrations, first.name, 'migration.sql'), '\n-- edited\n');
    expect(() => migrateSqlite(file, migrations)).toThrow(MigrationError);
  });
});

const POSTGRES_TYPES: Record<string, string> = { String: 'text', Int: 'integer', DateTime: 'timestamp without time zone', Boolean: 'boolean', Float: 'double precision', BigInt: 'bigint', Json: 'jsonb' };

describe('PostgreSQL migrations', () => {
  it('use a schema derived from schema.prisma that is up to date (run `pnpm db:generate`)', () => {
    const sqlite = fs.readFileSync(path.join(REPO_ROOT, 'prisma', 'schema.prisma'), 'utf8');
    const postgres = fs.readFileSync(path.join(REPO_ROOT, 'prisma', 'postgresql', 'schema.prisma'), 'utf8');
    expect(postgres).toBe(renderPostgresSchema(sqlite));
  });

  it('have one PostgreSQL migration for every SQLite migration, by name', () => {
    expect(readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.name)).toEqual(readMigrations(SQLITE_MIGRATIONS_DIR).map((m) => m.name));
  });

  it('build exactly the schema that schema.prisma declares, on a real PostgreSQL server', async () => {
    const db = await createPostgresDatabase();
    try {
      await migratePostgres(db.url, POSTGRES_MIGRATIONS_DIR);
      expect((await migratePostgres(db.url, POSTGRES_MIGRATIONS_DIR)).applied).toEqual([]);
      const declared = declaredSchema();
      const columns = await rawQuery<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
        db.url,
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name != '_prisma_migrations'",
      );
      expect([...new Set(columns.map((c) => c.table_name))].sort()).toEqual([...declared.keys()].sort());
      for (const [model, spec] of declared) {
        const actual = columns.filter((c) => c.table_name === model);
        expect(actual.map((c) => c.column_name).sort(), `columns of ${model}`).toEqual([...spec.columns.keys()].sort());
        for (const column of actual) {
          const want = spec.columns.get(column.column_name)!;
          expect(column.data_type, `${model}.${column.column_name} type`).toBe(POSTGRES_TYPES[want.type]);
          expect(column.is_nullable === 'YES', `${model}.${column.column_name} nullability`).toBe(want.optional);
        }
        const indexes = await rawQuery<{ indexdef: string; indexname: string }>(db.url, 'SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ?', [model]);
        const actualIndexes = indexes
          .filter((i) => !i.indexname.endsWith('_pkey'))
          .map((i) => `${/UNIQUE/.test(i.indexdef) ? 'unique' : 'index'}(${i.indexdef.replace(/^.*\((.*)\)$/, '$1').replace(/"/g, '').split(', ').join(',')})`);
        const key = (i: { unique: boolean; columns: string[] }) => `${i.unique ? 'unique' : 'index'}(${i.columns.join(',')})`;
        expect(actualIndexes.sort(), `indexes of ${model}`).toEqual(spec.indexes.map(key).sort());
      }
    } finally {
      await db.drop();
    }
  });
});
