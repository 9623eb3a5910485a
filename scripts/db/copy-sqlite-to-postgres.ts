// Copies a Parley SQLite database into an empty PostgreSQL database, then verifies the copy:
// the same row count and the same content checksum for every table.
//   pnpm db:copy-to-postgres <file.db> <postgresql://…>
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_MIGRATIONS_DIR } from '../../apps/server/src/db/database.ts';
import { migratePostgres } from '../../apps/server/src/db/migrations.ts';

export interface TableReport {
  table: string;
  rows: number;
  checksum: string;
  copiedChecksum: string;
}

const BATCH = 500;

/** Tables in an order that satisfies their foreign keys (parents first). */
function tablesInDependencyOrder(db: Database.Database): string[] {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations'").all() as { name: string }[]).map((t) => t.name);
  const parents = new Map(tables.map((t) => [t, (db.prepare(`PRAGMA foreign_key_list("${t}")`).all() as { table: string }[]).map((f) => f.table).filter((p) => p !== t)]));
  const ordered: string[] = [];
  const visit = (t: string) => {
    if (ordered.includes(t)) return;
    for (const p of parents.get(t) ?? []) visit(p);
    ordered.push(t);
  };
  tables.sort().forEach(visit);
  return ordered;
}

/** SQLite holds timestamps as ISO text, SQL text without a zone (UTC), or epoch milliseconds. */
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = String(value);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
}

/** One canonical text per value, so both engines' rows hash the same when their content is the same. */
function canonical(value: unknown, type: string): string {
  if (value === null || value === undefined) return '\\N';
  if (type.startsWith('timestamp')) return toDate(value).toISOString();
  if (type === 'boolean') return value === true || value === 1 || value === '1' ? 't' : 'f';
  return String(value);
}

function toPostgres(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type.startsWith('timestamp')) return toDate(value);
  if (type === 'boolean') return value === 1 || value === true;
  return value;
}

export async function copySqliteToPostgres(sqliteFile: string, postgresUrl: string, log: (line: string) => void = console.log): Promise<TableReport[]> {
  const source = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  await migratePostgres(postgresUrl, POSTGRES_MIGRATIONS_DIR);
  // Prisma writes TIMESTAMP(3) columns in UTC; read them back as UTC whatever the machine's zone.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 1114 ? (text: string) => new Date(`${text.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const target = new pg.Client({ connectionString: postgresUrl, types });
  await target.connect();
  try {
    const tables = tablesInDependencyOrder(source);
    const columnTypesByTable = new Map<string, Map<string, string>>();
    for (const table of tables) {
      const { rows } = await target.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [table],
      );
      if (rows.length === 0) throw new Error(`PostgreSQL has no table "${table}": are both databases on the same Parley version?`);
      columnTypesByTable.set(table, new Map(rows.map((r) => [r.column_name, r.data_type])));
      const { rows: count } = await target.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
      if (Number(count[0]!.n) > 0) throw new Error(`PostgreSQL table "${table}" is not empty; copy into a new database.`);
    }

    await target.query('BEGIN');
    for (const table of tables) {
      const columnTypes = columnTypesByTable.get(table)!;
      const columns = (source.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
      const list = columns.map((c) => `"${c}"`).join(', ');
      let batch: unknown[][] = [];
      const flush = async () => {
        if (!batch.length) return;
        const placeholders = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
        await target.query(`INSERT INTO "${table}" (${list}) VALUES ${placeholders}`, batch.flat());
        batch = [];
      };
      for (const row of source.prepare(`SELECT ${list} FROM "${table}"`).iterate() as Iterable<Record<string, unknown>>) {
        batch.push(columns.map((c) => toPostgres(row[c], columnTypes.get(c) ?? 'text')));
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      // Rows were copied with their ids: move each id sequence past them, or the next insert would collide.
      for (const [column] of [...columnTypes].filter(([, type]) => type === 'integer' || type === 'bigint')) {
        await target.query(
          `SELECT setval(seq, COALESCE((SELECT max("${column}") FROM "${table}"), 1), (SELECT max("${column}") FROM "${table}") IS NOT NULL)
           FROM pg_get_serial_sequence('"${table}"', '${column}') AS seq WHERE seq IS NOT NULL`,
        );
      }
    }
    await target.query('COMMIT');

    const reports: TableReport[] = [];
    for (const table of tables) {
      const columnTypes = columnTypesByTable.get(table)!;
      const columns = (source.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
      const list = columns.map((c) => `"${c}"`).join(', ');
      const hash = (rows: Iterable<Record<string, unknown>>) => {
        const h = createHash('sha256');
        let n = 0;
        for (const row of rows) {
          h.update(columns.map((c) => canonical(row[c], columnTypes.get(c) ?? 'text')).join('\t') + '\n');
          n += 1;
        }
        return { n, digest: h.digest('hex') };
      };
      // Both sides in primary-key order; text keys compared bytewise on PostgreSQL, as SQLite does.
      const info = source.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; pk: number }[];
      const keys = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const orderBy = (keys.length ? keys : columns).map((c) => `"${c}"`);
      const pgOrderBy = (keys.length ? keys : columns).map((c) => (columnTypes.get(c) === 'text' ? `"${c}" COLLATE "C"` : `"${c}"`));
      const from = hash(source.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${orderBy.join(', ')}`).iterate() as Iterable<Record<string, unknown>>);
      const to = hash((await target.query(`SELECT ${list} FROM "${table}" ORDER BY ${pgOrderBy.join(', ')}`)).rows);
      if (from.n !== to.n || from.digest !== to.digest) {
        throw new Error(`Verification failed for "${table}": ${from.n} rows → ${to.n} rows, checksums ${from.digest.slice(0, 12)} / ${to.digest.slice(0, 12)}`);
      }
      reports.push({ table, rows: from.n, checksum: from.digest, copiedChecksum: to.digest });
      log(`${table}: ${from.n} rows, checksum ${from.digest.slice(0, 16)} verified`);
    }
    return reports;
  } catch (err) {
    await target.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    source.close();
    await target.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, url] = process.argv.slice(2);
  if (!file || !url || file === '--help') {
    console.log('Usage: pnpm db:copy-to-postgres <parley.db> <postgresql://user@host:5432/newdb>\nCopies every table into an empty PostgreSQL database and verifies row counts and checksums.');
    process.exit(file === '--help' ? 0 : 2);
  }
  copySqliteToPostgres(file, url).then(
    () => console.log('Copy complete and verified.'),
    (err: Error) => {
      console.error(`Copy failed: ${err.message}`);
      process.exit(1);
    },
  );
}
