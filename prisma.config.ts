// Prisma CLI configuration (Prisma 7 reads the connection URL from here, not from the schema).
// DATABASE_URL picks the provider: postgresql:// uses the derived PostgreSQL schema and its migrations.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const root = import.meta.dirname;
const url = process.env.DATABASE_URL ?? `file:${path.join(root, 'data', 'parley.db')}`;
const dir = /^postgres(ql)?:\/\//.test(url) ? path.join(root, 'prisma', 'postgresql') : path.join(root, 'prisma');

export default defineConfig({
  schema: path.join(dir, 'schema.prisma'),
  migrations: { path: path.join(dir, 'migrations') },
  datasource: { url },
});
