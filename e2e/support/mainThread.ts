import type { Browser, Page } from '@playwright/test';

export interface MainThreadTask {
  /** Wall-clock duration, what the browser's long-task API reports. */
  wallMs: number;
  /** CPU time the page's main thread actually spent on the task. */
  cpuMs: number;
}

/**
 * Records every task of the page's main thread while `action` runs, from Chromium's trace.
 * Both durations are kept because on a shared, busy machine a task's wall time includes the time
 * the operating system ran other processes instead (a 1 ms task can "last" 200 ms), while its
 * CPU time is what the page's own code cost.
 */
export async function recordMainThreadTasks(browser: Browser, page: Page, action: () => Promise<void>): Promise<MainThreadTask[]> {
  await browser.startTracing(page, { categories: ['toplevel', 'disabled-by-default-devtools.timeline'] });
  let buffer: Buffer;
  try {
    await action();
  } finally {
    buffer = await browser.stopTracing();
  }
  const { traceEvents } = JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] };
  const mainThreads = new Set(
    traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  return traceEvents
    .filter((e) => e.ph === 'X' && e.name === 'RunTask' && mainThreads.has(`${e.pid}:${e.tid}`))
    .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}
