// Rewrites docs/protocol.md from packages/protocol (`pnpm docs:protocol`).
import fs from 'node:fs';
import path from 'node:path';
import { renderProtocolDoc } from '../../packages/protocol/src/protocol-doc.ts';

const target = path.resolve(import.meta.dirname, '../../docs/protocol.md');
fs.writeFileSync(target, renderProtocolDoc());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
