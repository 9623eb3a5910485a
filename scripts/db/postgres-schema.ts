// The PostgreSQL schema is derived from prisma/schema.prisma (the one set of models), never edited by hand.
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SQLITE_SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
export const POSTGRES_SCHEMA = path.join(ROOT, 'prisma', 'postgresql', 'schema.prisma');

export function renderPostgresSchema(sqliteSchema: string): string {
  const header = '// GENERATED from prisma/schema.prisma by `pnpm db:generate`; edit that file instead.\n';
  const body = sqliteSchema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output       = "../apps/server/src/db/generated/sqlite"', 'output       = "../../apps/server/src/db/generated/postgresql"');
  if (body === sqliteSchema) throw new Error('prisma/schema.prisma no longer has the expected provider/output lines');
  return header + body;
}

export function writePostgresSchema(): void {
  fs.mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  fs.writeFileSync(POSTGRES_SCHEMA, renderPostgresSchema(fs.readFileSync(SQLITE_SCHEMA, 'utf8')));
}
