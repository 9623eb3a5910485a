/** What every scenario gets from the runner. */
export interface BenchContext {
  /** Temp directory for this run (databases, logs, profiles). */
  dir: string;
  /** Pin servers to core 0 with taskset (the runner itself runs on core 1). */
  pin: boolean;
  /** Unique per run, so usernames and clientMsgIds never collide with an earlier run. */
  runId: string;
  heartbeatIntervalMs: number;
  echoDelayMs: number;
  /** Progress for the person watching (stderr); results go to stdout. */
  log(message: string): void;
}

/** One figure of a scenario, as printed in the table. */
export interface Figure {
  metric: string;
  parley: number | string;
  baseline?: number | string | null;
  unit?: string;
  /** Human-readable target, e.g. "≤ 50". */
  target?: string;
  /** Whether the target is met; undefined when the figure has no target. */
  pass?: boolean;
}

export interface ScenarioResult {
  scenario: string;
  figures: Figure[];
  /** Everything measured, for the JSON line. */
  details: Record<string, unknown>;
}
