import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, type BenchOutcome } from './bench.ts';
import { QUICK_SIZES } from './sizes.ts';

// The benchmark harness in miniature, so it cannot rot: every scenario except the web client's (it
// needs a production build) runs against the real server at small sizes (two instances on the local
// PostgreSQL and Redis, as the multi-instance tests use them). Only correctness is
// asserted — nothing lost, duplicated or out of order — never a timing: this machine is shared.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-smoke-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const details = (outcome: BenchOutcome, scenario: string): any => {
  const result = outcome.results.find((r) => r.scenario === scenario);
  if (!result) throw new Error(`no result for ${scenario}: ${JSON.stringify(outcome.failures)}`);
  return result.details;
};

describe('pnpm bench (smoke size)', () => {
  it('runs every server scenario and finds nothing lost, duplicated or out of order', { timeout: 240_000 }, async () => {
    const lines: string[] = [];
    const outcome = await runBench({
      dir,
      pin: false,
      scenarios: ['connections', 'send-ack', 'streaming', 'slow-reader', 'crash', 'two-instances'],
      sizes: QUICK_SIZES,
      log: () => {},
      emit: (line) => lines.push(line),
    });
    expect(outcome.failures).toEqual([]);
    // One JSON line per scenario, and a table row for each figure.
    expect(lines.map((l) => JSON.parse(l).scenario)).toEqual(['connections', 'streaming', 'slow-reader', 'send-ack', 'crash', 'two-instances']);
    expect(outcome.table.split('\n').length).toBe(2 + outcome.results.reduce((n, r) => n + r.figures.length, 0));

    const connections = details(outcome, 'connections');
    for (const side of [connections.parley, connections.baseline]) {
      expect(side).toMatchObject({ open: QUICK_SIZES.connections.count, dropped: 0 });
      expect(side.minPings).toBeGreaterThanOrEqual(1);
    }
    expect(connections.parley.serverOpenSockets).toBe(QUICK_SIZES.connections.count);

    const sendAck = details(outcome, 'send-ack');
    const runs = [...sendAck.fixedRate.parley, sendAck.fixedRate.baseline, ...sendAck.search.parley.tried];
    for (const run of runs) expect(run).toMatchObject({ lost: 0, duplicated: 0, errors: 0, acked: run.scheduled });
    expect(sendAck.writeTransactions.stored).toBe(QUICK_SIZES.sendAck.repeats * sendAck.fixedRate.parley[0].scheduled);

    const streaming = details(outcome, 'streaming');
    expect(streaming.parley).toMatchObject({ intact: QUICK_SIZES.streaming.replies, broken: 0 });
    expect(streaming.baseline).toMatchObject({ intact: QUICK_SIZES.streaming.replies, broken: 0 });

    const slow = details(outcome, 'slow-reader');
    expect(slow.terminations.length).toBeGreaterThanOrEqual(1);
    expect(slow.terminations[0].buffered).toBeGreaterThan(1024 * 1024);
    for (const phase of [slow.before, slow.during]) expect(phase).toMatchObject({ pongsMissing: 0, sends: { lost: 0, duplicated: 0, errors: 0 } });

    const crash = details(outcome, 'crash');
    expect(crash).toMatchObject({ ok: true, unknown: 0 });
    expect(crash.ackedBeforeCrash).toBeGreaterThan(0);
    expect(crash.resendAcked).toBe(crash.inFlight);
    expect(crash.rows).toBe(crash.sent);

    const pair = details(outcome, 'two-instances');
    for (const run of pair.sendAck) {
      expect(run).toMatchObject({ lost: 0, duplicated: 0, errors: 0, acked: run.scheduled });
      expect(run.otherTab).toMatchObject({ seen: run.scheduled, missing: 0, duplicated: 0, outOfOrder: 0 });
    }
    for (const tab of [pair.streaming.generatingTab, pair.streaming.otherInstanceTab]) expect(tab.intact).toBe(QUICK_SIZES.twoInstances.replies);
  });
});
