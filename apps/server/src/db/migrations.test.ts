import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../config/paths.ts';
import { SQLITE_MIGRATIONS_DIR } from './database.ts';
import { migrateSqlite, MigrationError, readMigrations } from './migrations.ts';

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
