import { describe, expect, it } from 'vitest';
import { GroupCommit, type Pending } from './group-commit.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A GroupCommit whose flush records its batches and answers each item with its double. */
function recorder(windowMs: number, maxBatch = 100) {
  const batches: number[][] = [];
  const commits = new GroupCommit<number, number>(async (batch: Pending<number, number>[]) => {
    batches.push(batch.map((p) => p.item));
    await sleep(1);
    for (const p of batch) p.resolve(p.item * 2);
  }, { maxBatch, windowMs });
  return { commits, batches };
}

describe('GroupCommit', () => {
  it('flushes items submitted together in one batch, in order, and answers each', async () => {
    const { commits, batches } = recorder(50);
    expect(await Promise.all([1, 2, 3].map((n) => commits.submit(n)))).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('does not hold a lone item for the window when idle', async () => {
    const { commits } = recorder(200);
    const started = performance.now();
    await commits.submit(1);
    expect(performance.now() - started).toBeLessThan(150);
  });

  it('under sustained traffic keeps the batch open for the window, so later items join it', async () => {
    const { commits, batches } = recorder(40);
    await commits.submit(0); // a flush just happened: the next batch waits for the window
    const waiting = [commits.submit(1), sleep(10).then(() => commits.submit(2)), sleep(20).then(() => commits.submit(3))];
    await Promise.all(waiting);
    expect(batches).toEqual([[0], [1, 2, 3]]);
  });

  it('caps batches at maxBatch and writes one batch at a time', async () => {
    const { commits, batches } = recorder(0, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => commits.submit(n)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every item of a flush that throws, and keeps working', async () => {
    let fail = true;
    const commits = new GroupCommit<number, number>(async (batch) => {
      if (fail) throw new Error('disk full');
      for (const p of batch) p.resolve(p.item);
    }, { maxBatch: 10, windowMs: 0 });
    const results = await Promise.allSettled([commits.submit(1), commits.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await commits.submit(3)).toBe(3);
    expect(commits.backlog).toBe(0);
  });
});
