import { TELEMETRY_BATCH_MAX, telemetryEventSchema, type TelemetryEvent } from '@parley/protocol';
import type { TelemetryPolicy } from './policy.ts';

export interface TelemetryTransport {
  /** Sends one batch as a `telemetry` frame; false when the socket is not open. */
  sendFrame(events: TelemetryEvent[]): boolean;
  /** Hands one batch to navigator.sendBeacon (POST /api/telemetry); false when the browser refused it. */
  sendBeacon(events: TelemetryEvent[]): boolean;
}

export interface TelemetryQueueOptions {
  transport: TelemetryTransport;
  /** Asked on every record and flush: consent can change at any time. */
  policy(): TelemetryPolicy;
  /** Events are grouped for this long before a frame goes out (fewer frames, same data). */
  flushDelayMs?: number;
  /** Beyond this, the oldest events are dropped (a tab offline for hours must not grow forever). */
  maxQueued?: number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  warn?: (message: string) => void;
}

/**
 * Client telemetry waits here until it can be sent: over the socket in frames of at most
 * TELEMETRY_BATCH_MAX events while connected, by beacon when the page is being hidden or closed.
 * Nothing is queued when the policy says drop, and what was held is discarded when it turns to drop.
 */
export class TelemetryQueue {
  private events: TelemetryEvent[] = [];
  private timer: unknown = null;
  private readonly options: Required<TelemetryQueueOptions>;

  constructor(options: TelemetryQueueOptions) {
    this.options = {
      flushDelayMs: 1_000,
      maxQueued: 500,
      setTimer: (callback, ms) => setTimeout(callback, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      warn: (message) => console.warn(message),
      ...options,
    };
  }

  get size(): number {
    return this.events.length;
  }

  record(event: TelemetryEvent): void {
    if (this.options.policy() === 'drop') return;
    // One malformed event would make the server refuse its whole batch: check each on the way in.
    const valid = telemetryEventSchema.safeParse(event);
    if (!valid.success) {
      this.options.warn(`[parley] telemetry event ${event.kind} left out: ${valid.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    this.events.push(valid.data);
    if (this.events.length > this.options.maxQueued) this.events.splice(0, this.events.length - this.options.maxQueued);
    this.schedule();
  }

  /** Sends what is queued over the socket, if the policy allows and the socket is open. */
  flush(): void {
    this.cancelTimer();
    if (!this.allowed()) return;
    while (this.events.length > 0) {
      const batch = this.events.slice(0, TELEMETRY_BATCH_MAX);
      if (!this.options.transport.sendFrame(batch)) return; // kept for the next open socket
      this.events.splice(0, batch.length);
    }
  }

  /** The page is being hidden or closed: a frame might never leave, a beacon does. */
  flushWithBeacon(): void {
    this.cancelTimer();
    if (!this.allowed()) return;
    while (this.events.length > 0) {
      const batch = this.events.slice(0, TELEMETRY_BATCH_MAX);
      if (!this.options.transport.sendBeacon(batch)) return;
      this.events.splice(0, batch.length);
    }
  }

  /** Consent was decided (or the session changed): send what was held, or forget it. */
  policyChanged(): void {
    const policy = this.options.policy();
    if (policy === 'drop') this.clear();
    else if (policy === 'collect' && this.events.length > 0) this.schedule();
  }

  clear(): void {
    this.cancelTimer();
    this.events = [];
  }

  private allowed(): boolean {
    const policy = this.options.policy();
    if (policy === 'drop') this.events = [];
    return policy === 'collect';
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = this.options.setTimer(() => {
      this.timer = null;
      this.flush();
    }, this.options.flushDelayMs);
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.options.clearTimer(this.timer);
    this.timer = null;
  }
}
