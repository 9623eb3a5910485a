import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read from the running server when they are scraped (never pushed on every change). */
export interface MetricSources {
  openSockets(): number;
  repliesRunning(): number;
}

/** What the message write path reports: one observation per committed transaction. */
export interface WritePathObserver {
  /** A write transaction committed (or failed) after `seconds`, carrying `messages` user messages. */
  transaction(seconds: number, messages: number, outcome: 'committed' | 'failed'): void;
  /** New user messages are durably stored (duplicates are not counted). */
  stored(count: number): void;
}

export interface ServerMetrics {
  readonly registry: Registry;
  readonly writePath: WritePathObserver;
  /** From the socket frame's arrival to the ack leaving, in seconds. */
  observeAck(seconds: number): void;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

// Ack and transaction latencies live between a fraction of a millisecond and a few hundred.
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/**
 * Parley's operator metrics in a registry of their own. Each server owns its registry (tests
 * start many servers in one process, and the global default registry would mix them up).
 */
export function createServerMetrics(sources: MetricSources): ServerMetrics {
  const registry = new Registry();
  // Process metrics: CPU, memory, heap, handles, GC and event-loop delay (nodejs_eventloop_lag_*).
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'parley_open_sockets',
    help: 'WebSocket connections open now.',
    registers: [registry],
    collect() {
      this.set(sources.openSockets());
    },
  });
  new Gauge({
    name: 'parley_agent_replies_running',
    help: 'Agent replies streaming now.',
    registers: [registry],
    collect() {
      this.set(sources.repliesRunning());
    },
  });
  const messagesStored = new Counter({
    name: 'parley_messages_stored_total',
    help: 'User messages committed to the database (idempotent resends not counted).',
    registers: [registry],
  });
  const ackLatency = new Histogram({
    name: 'parley_ack_latency_seconds',
    help: 'From a send frame arriving on a socket to its ack being sent (after the commit).',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const transactionLatency = new Histogram({
    name: 'parley_db_transaction_seconds',
    help: 'Duration of the message write transactions, by outcome.',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const transactionSize = new Histogram({
    name: 'parley_db_transaction_messages',
    help: 'User messages per write transaction (group commit batch size).',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    writePath: {
      transaction(seconds, messages, outcome) {
        transactionLatency.observe({ outcome }, seconds);
        if (outcome === 'committed') transactionSize.observe(messages);
      },
      stored(count) {
        messagesStored.inc(count);
      },
    },
    observeAck(seconds) {
      ackLatency.observe(seconds);
    },
    render: () => registry.metrics(),
  };
}
