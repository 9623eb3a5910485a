import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderProtocolDoc } from './protocol-doc.ts';
import { clientFrameSchema, serverFrameSchema } from './socket.ts';

const DOC = path.resolve(import.meta.dirname, '../../../docs/protocol.md');

describe('docs/protocol.md', () => {
  it('is exactly what the schemas generate (run `pnpm docs:protocol` after changing a schema)', () => {
    expect(fs.readFileSync(DOC, 'utf8')).toBe(renderProtocolDoc());
  });

  it('describes every frame', () => {
    const doc = renderProtocolDoc();
    for (const frame of [...clientFrameSchema.options, ...serverFrameSchema.options]) {
      expect(frame.description, `description of ${frame.shape.type.value}`).toBeTruthy();
      expect(doc).toContain(`### \`${frame.shape.type.value}\``);
    }
  });
});
