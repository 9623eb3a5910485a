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

type DeclaredColumn = { type: string; optional: boolean; default: string | null };
type DeclaredIndex = { unique: boolean; columns: string[] };
type ForeignKey = { columns: string[]; table: string; references: string[]; onDelete: string; onUpdate: string };

/** Prisma's referential actions as the databases name them. */
const SQL_ACTIONS: Record<string, string> = { Cascade: 'CASCADE', Restrict: 'RESTRICT', NoAction: 'NO ACTION', SetNull: 'SET NULL', SetDefault: 'SET DEFAULT' };

/**
 * A column's `@default(...)` as the database should hold it: `now()` is CURRENT_TIMESTAMP,
 * `autoincrement()` is the engine's own counter, literals are SQL literals, and the ids Prisma Client
 * generates itself (`uuid()`, `cuid()`, ...) leave no default in the database.
 */
function databaseDefault(where: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (raw === 'now()') return 'CURRENT_TIMESTAMP';
  if (raw === 'autoincrement()') return 'autoincrement';
  if (/^(uuid|cuid|nanoid|ulid)\(.*\)$/.test(raw)) return null;
  if (/^(-?\d+(\.\d+)?|true|false)$/.test(raw)) return raw;
  const string = raw.match(/^"(.*)"$/);
  if (string) return `'${string[1]!.replace(/'/g, "''")}'`;
  throw new Error(`${where}: teach this test how the database holds @default(${raw})`);
}

/** The models, fields, indexes, foreign keys and defaults that schema.prisma declares, read from the schema text itself. */
function declaredSchema() {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'prisma', 'schema.prisma'), 'utf8');
  const models = new Map<string, { columns: Map<string, DeclaredColumn>; indexes: DeclaredIndex[]; foreignKeys: ForeignKey[] }>();
  for (const [, name, body] of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const columns = new Map<string, DeclaredColumn>();
    const indexes: DeclaredIndex[] = [];
    const foreignKeys: ForeignKey[] = [];
    for (const rawLine of body!.split('\n')) {
      const line = rawLine.replace(/\/\/.*$/, '').trim();
      const block = line.match(/^@@(unique|index)\(\[([^\]]+)\]/);
      if (block) {
        indexes.push({ unique: block[1] === 'unique', columns: block[2]!.split(',').map((c) => c.trim()) });
        continue;
      }
      const field = line.match(/^(\w+)\s+(\w+)(\??)(\[\])?/);
      if (!field || field[4]) continue;
      const [, fieldName, type, optional] = field;
      const relation = line.match(/@relation\((.*)\)/);
      if (relation) {
        const list = (key: string) => relation[1]!.match(new RegExp(`${key}:\\s*\\[([^\\]]*)\\]`))?.[1]!.split(',').map((c) => c.trim()) ?? [];
        const action = (key: string) => relation[1]!.match(new RegExp(`${key}:\\s*(\\w+)`))?.[1];
        // Only the side with `fields:` holds the foreign key; a named back-relation (`@relation("Name")`) holds none.
        if (list('fields').length > 0) foreignKeys.push({
          columns: list('fields'),
          table: type!,
          references: list('references'),
          // Prisma's defaults when the schema names no action: Restrict (SetNull for an optional relation) and Cascade.
          onDelete: SQL_ACTIONS[action('onDelete') ?? (optional === '?' ? 'SetNull' : 'Restrict')]!,
          onUpdate: SQL_ACTIONS[action('onUpdate') ?? 'Cascade']!,
        });
        continue;
      }
      if (!['String', 'Int', 'DateTime', 'Boolean', 'Float', 'BigInt', 'Json'].includes(type!)) continue;
      const defaultValue = line.match(/@default\(((?:[^()"]|"[^"]*"|\([^()]*\))*)\)/)?.[1];
      columns.set(fieldName!, { type: type!, optional: optional === '?', default: databaseDefault(`${name}.${fieldName}`, defaultValue) });
      if (/@unique\b/.test(line)) indexes.push({ unique: true, columns: [fieldName!] });
    }
    models.set(name!, { columns, indexes, foreignKeys });
  }
  return models;
}

/** One foreign key as a line of text, so a failing comparison shows exactly what is missing or extra. */
const foreignKeyText = (fk: ForeignKey) =>
  `(${fk.columns.join(',')}) REFERENCES ${fk.table}(${fk.references.join(',')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;

function sqliteForeignKeys(db: Database.Database, table: string): ForeignKey[] {
  const rows = db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { id: number; seq: number; table: string; from: string; to: string; on_update: string; on_delete: string }[];
  const byId = new Map<number, ForeignKey>();
  for (const row of rows.sort((a, b) => a.id - b.id || a.seq - b.seq)) {
    const fk = byId.get(row.id) ?? { columns: [], table: row.table, references: [], onDelete: row.on_delete, onUpdate: row.on_update };
    fk.columns.push(row.from);
    fk.references.push(row.to);
    byId.set(row.id, fk);
  }
  return [...byId.values()];
}

/** A column's default on SQLite; an INTEGER PRIMARY KEY AUTOINCREMENT column counts as `autoincrement`. */
function sqliteDefault(column: { name: string; type: string; pk: number; dflt_value: string | null }, tableSql: string): string | null {
  if (column.pk === 1 && column.type === 'INTEGER' && new RegExp(`"${column.name}" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`).test(tableSql)) return 'autoincrement';
  return column.dflt_value;
}

const POSTGRES_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

async function postgresForeignKeys(url: string): Promise<(ForeignKey & { owner: string })[]> {
  const rows = await rawQuery<{ owner: string; table: string; columns: string; references: string; confdeltype: string; confupdtype: string }>(
    url,
    `SELECT owner.relname AS owner, target.relname AS table, c.confdeltype, c.confupdtype,
       (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
       (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS references
     FROM pg_constraint c
     JOIN pg_class owner ON owner.oid = c.conrelid
     JOIN pg_class target ON target.oid = c.confrelid
     JOIN pg_namespace ns ON ns.oid = owner.relnamespace
     WHERE c.contype = 'f' AND ns.nspname = 'public'`,
  );
  return rows.map((r) => ({
    owner: r.owner,
    columns: r.columns.split(','),
    table: r.table,
    references: r.references.split(','),
    onDelete: POSTGRES_ACTIONS[r.confdeltype]!,
    onUpdate: POSTGRES_ACTIONS[r.confupdtype]!,
  }));
}

/** A column's default on PostgreSQL, without the type cast it prints (`'x'::text`); serial and identity columns count as `autoincrement`. */
function postgresDefault(column: { column_default: string | null; is_identity: string }, declaredType: string): string | null {
  if (column.is_identity === 'YES' || column.column_default?.startsWith('nextval(')) return 'autoincrement';
  if (column.column_default === null) return null;
  const value = column.column_default.replace(/::[\w ]+(\(\d+\))?$/, '');
  // Negative numbers come back quoted ('-1'::integer).
  return declaredType !== 'String' && /^'.*'$/.test(value) ? value.slice(1, -1) : value;
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
      for (const [model, { columns, indexes, foreignKeys }] of declared) {
        const actual = db.prepare(`PRAGMA table_info("${model}")`).all() as { name: string; type: string; notnull: number; pk: number; dflt_value: string | null }[];
        const tableSql = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(model) as { sql: string }).sql;
        expect(actual.map((c) => c.name).sort(), `columns of ${model}`).toEqual([...columns.keys()].sort());
        for (const column of actual) {
          const want = columns.get(column.name)!;
          expect(column.type, `${model}.${column.name} type`).toBe(SQLITE_TYPES[want.type]);
          expect(column.notnull === 0, `${model}.${column.name} nullability`).toBe(want.optional);
          expect(sqliteDefault(column, tableSql), `${model}.${column.name} default`).toBe(want.default);
        }
        expect(sqliteForeignKeys(db, model).map(foreignKeyText).sort(), `foreign keys of ${model}`).toEqual(foreignKeys.map(foreignKeyText).sort());
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
      const columns = await rawQuery<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>(
        db.url,
        "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = 'public' AND table_name != '_prisma_migrations'",
      );
      expect([...new Set(columns.map((c) => c.table_name))].sort()).toEqual([...declared.keys()].sort());
      const foreignKeys = await postgresForeignKeys(db.url);
      for (const [model, spec] of declared) {
        const actual = columns.filter((c) => c.table_name === model);
        expect(actual.map((c) => c.column_name).sort(), `columns of ${model}`).toEqual([...spec.columns.keys()].sort());
        for (const column of actual) {
          const want = spec.columns.get(column.column_name)!;
          expect(column.data_type, `${model}.${column.column_name} type`).toBe(POSTGRES_TYPES[want.type]);
          expect(column.is_nullable === 'YES', `${model}.${column.column_name} nullability`).toBe(want.optional);
          expect(postgresDefault(column, want.type), `${model}.${column.column_name} default`).toBe(want.default);
        }
        const actualForeignKeys = foreignKeys.filter((fk) => fk.owner === model).map(foreignKeyText);
        expect(actualForeignKeys.sort(), `foreign keys of ${model}`).toEqual(spec.foreignKeys.map(foreignKeyText).sort());
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
