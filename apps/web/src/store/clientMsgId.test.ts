import { describe, expect, it } from 'vitest';
import { newClientMsgId } from './clientMsgId.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newClientMsgId', () => {
  it('uses crypto.randomUUID where the page is a secure context', () => {
    expect(newClientMsgId({ randomUUID: () => '11111111-1111-4111-8111-111111111111', getRandomValues: (a) => a })).toBe(
      '11111111-1111-4111-8111-111111111111',
    );
  });

  it('builds a v4 UUID from getRandomValues on plain-http pages, where randomUUID is missing', () => {
    // Only getRandomValues, as in a browser page served over plain http.
    const insecure: Pick<Crypto, 'getRandomValues'> = { getRandomValues: (array) => globalThis.crypto.getRandomValues(array) };
    const ids = new Set(Array.from({ length: 200 }, () => newClientMsgId(insecure)));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });
});
