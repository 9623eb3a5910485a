import { afterEach, describe, expect, it } from 'vitest';
import { apiClient } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let server: TestServer;
afterEach(async () => server?.close());

describe('GET /health', () => {
  it('is 200 ok with a database check', async () => {
    server = await startTestServer();
    const res = await apiClient(server.url)('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: { database: 'ok' } });
  });

  it('is 503 when the database does not answer', async () => {
    server = await startTestServer();
    // Make the database fail underneath the running server.
    (server.server.database.prisma as { $queryRawUnsafe: unknown }).$queryRawUnsafe = () => Promise.reject(new Error('disk gone'));
    const res = await apiClient(server.url)('GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'unavailable', checks: { database: 'failing' } });
    expect(JSON.stringify(res.body)).not.toContain('disk gone');
  });

  it('answers unknown routes with a JSON 404', async () => {
    server = await startTestServer();
    const res = await apiClient(server.url)('GET', '/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
