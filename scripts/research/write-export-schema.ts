// Regenerates docs/export-schema.json from the export's zod schemas (run after changing them).
import fs from 'node:fs';
import path from 'node:path';
import { renderExportJsonSchema } from '../../packages/protocol/src/research.ts';

const target = path.resolve(import.meta.dirname, '../../docs/export-schema.json');
fs.writeFileSync(target, renderExportJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
