import { describe, expect, it } from 'vitest';
import { databaseUnavailable } from './database-errors.ts';

describe('databaseUnavailable', () => {
  it('recognises a database that cannot be reached, however deep the cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (const err of [
      Object.assign(new Error("Can't reach database server"), { code: 'P1001' }),
      Object.assign(new Error('Timed out fetching a new connection from the connection pool'), { code: 'P2024' }),
      new Error('query failed', { cause: new Error('adapter', { cause: refused }) }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('driver'), { cause: { kind: 'DatabaseNotReachable' } }),
    ]) {
      expect(databaseUnavailable(err)).toMatchObject({ code: 'unavailable', status: 503 });
    }
  });

  it('leaves every other error alone', () => {
    for (const err of [new Error('boom'), Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }), null, 'text']) {
      expect(databaseUnavailable(err)).toBeNull();
    }
  });
});
