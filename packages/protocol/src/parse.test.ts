import { describe, expect, it } from 'vitest';
import { parseClientFrame, parseServerFrame } from './parse.ts';

/** Deterministic pseudo-random values (mulberry32), so a failure reproduces. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function arbitrary(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * (depth > 2 ? 6 : 8));
  const types = ['send', 'stop', 'resume', 'ping', 'hello', 'ack', '__proto__', 'constructor', ''];
  switch (pick) {
    case 0: return null;
    case 1: return rand() * 1e6 - 5e5;
    case 2: return rand() > 0.5;
    case 3: return 'x'.repeat(Math.floor(rand() * 40));
    case 4: return types[Math.floor(rand() * types.length)];
    case 5: return '\u0000\ud800' + String(rand());
    case 6: return Array.from({ length: Math.floor(rand() * 4) }, () => arbitrary(rand, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      for (const key of ['type', 'chatId', 'clientMsgId', 'content', 't', 'seq', '__proto__'].filter(() => rand() > 0.4)) {
        obj[key] = key === 'type' ? types[Math.floor(rand() * types.length)] : arbitrary(rand, depth + 1);
      }
      return obj;
    }
  }
}

describe('frame parsing', () => {
  it('accepts a valid send frame and names what is wrong in an invalid one', () => {
    expect(parseClientFrame('{"type":"send","chatId":"c","clientMsgId":"m","content":"hi"}')).toEqual({
      ok: true,
      value: { type: 'send', chatId: 'c', clientMsgId: 'm', content: 'hi' },
    });
    const bad = parseClientFrame('{"type":"send","chatId":"c","content":5}');
    expect(bad).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(!bad.ok && bad.message).toMatch(/clientMsgId|content/);
  });

  it('tells invalid JSON, unknown types and non-objects apart', () => {
    expect(parseClientFrame('{')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parseClientFrame('{"type":"hello"}')).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(parseClientFrame('"send"')).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(parseServerFrame('{"type":"send"}')).toMatchObject({ ok: false, code: 'unknown_type' });
  });

  it('never throws on arbitrary input (fuzz, 5,000 cases)', () => {
    const rand = random(20261122);
    for (let i = 0; i < 5000; i += 1) {
      const json = JSON.stringify(arbitrary(rand)) ?? 'undefined';
      // Every tenth input is cut short, so truncated JSON is fuzzed too.
      const input = i % 10 === 0 ? json.slice(0, Math.floor(rand() * json.length)) : json;
      const client = parseClientFrame(input);
      const server = parseServerFrame(input);
      expect(typeof client.ok).toBe('boolean');
      expect(typeof server.ok).toBe('boolean');
      if (!client.ok) expect(client.message.length).toBeLessThan(600);
    }
  });
});
