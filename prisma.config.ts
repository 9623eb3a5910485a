// Prisma CLI configuration (Prisma 7 reads the connection URL from here, not from the schema).
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const root = import.meta.dirname;

export default defineConfig({
  schema: path.join(root, 'prisma', 'schema.prisma'),
  migrations: { path: path.join(root, 'prisma', 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? `file:${path.join(root, 'data', 'parley.db')}` },
});
