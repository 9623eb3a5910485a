// Generates the Prisma client for every schema under prisma/ without network access.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const schemas = [path.join(root, 'prisma', 'schema.prisma')];

for (const schema of schemas) {
  execFileSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', schema], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Generation never runs the schema engine, but the CLI insists on finding one.
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
}
