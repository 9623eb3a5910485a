import { describe, expect, it } from 'vitest';
import { exportQuerySchema } from '@parley/protocol';
import { exportHref, queryString } from './researchApi.ts';

describe('research links', () => {
  it('leaves unset filters out of the query', () => {
    expect(queryString({ study: undefined, condition: '', cursor: 'c2' })).toBe('?cursor=c2');
    expect(queryString({})).toBe('');
  });

  it('builds export links the server accepts, with every filter', () => {
    const href = exportHref('csv', { study: ' pilot-1 ', condition: 'warm', from: '2026-05-01', to: '2026-06-01', pseudonymize: true });
    const url = new URL(href, 'http://parley.test');
    expect(url.pathname).toBe('/api/research/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({ format: 'csv', study: 'pilot-1', condition: 'warm', from: '2026-05-01', to: '2026-06-01', pseudonymize: '1' });
    const parsed = exportQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    expect(parsed.success && parsed.data.pseudonymize).toBe(true);
  });

  it('asks for everything in JSONL when no filter is set', () => {
    expect(exportHref('jsonl', { study: '', condition: '', from: '', to: '', pseudonymize: false })).toBe('/api/research/export?format=jsonl');
  });
});
