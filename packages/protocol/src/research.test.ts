import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_CSV_COLUMNS, EXPORT_SCHEMA_VERSION, exportRecordSchema, renderExportJsonSchema } from './research.ts';

const FILE = path.resolve(import.meta.dirname, '../../../docs/export-schema.json');

describe('docs/export-schema.json', () => {
  it('is exactly what the export schemas generate (run `pnpm exec tsx scripts/research/write-export-schema.ts` after changing them)', () => {
    expect(fs.readFileSync(FILE, 'utf8')).toBe(renderExportJsonSchema());
  });

  it('describes both record kinds, the schema version and the CSV columns', () => {
    const schema = JSON.parse(renderExportJsonSchema());
    expect(schema['x-schema-version']).toBe(EXPORT_SCHEMA_VERSION);
    expect(schema['x-csv-columns']).toEqual([...EXPORT_CSV_COLUMNS]);
    const text = JSON.stringify(schema);
    for (const field of ['participantId', 'messages', 'feedback', 'events', 'condition', 'schemaVersion', 'clientTime', 'serverTime']) expect(text).toContain(`"${field}"`);
    expect(schema.oneOf ?? schema.anyOf).toHaveLength(2);
  });

  it('refuses a record of a newer schema version', () => {
    const record = {
      schemaVersion: EXPORT_SCHEMA_VERSION + 1,
      record: 'conversation',
      studyId: null,
      participantId: 'p',
      pseudonymized: false,
      condition: null,
      chatId: 'c',
      title: 't',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUserMessageAt: null,
      messages: [],
      events: [],
    };
    expect(exportRecordSchema.safeParse(record).success).toBe(false);
    expect(exportRecordSchema.safeParse({ ...record, schemaVersion: EXPORT_SCHEMA_VERSION }).success).toBe(true);
  });
});
