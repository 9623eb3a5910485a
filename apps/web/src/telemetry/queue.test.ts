import { describe, expect, it } from 'vitest';
import { TELEMETRY_BATCH_MAX, telemetryBatchSchema, type TelemetryEvent } from '@parley/protocol';
import type { TelemetryPolicy } from './policy.ts';
import { TelemetryQueue } from './queue.ts';

const clientTime = '2024-01-01T00:00:00.000Z';
const paste = (length: number): TelemetryEvent => ({ kind: 'paste', clientTime, length });

function setup(options: { policy?: TelemetryPolicy; socketOpen?: boolean; beaconAccepts?: boolean; maxQueued?: number } = {}) {
  let policy: TelemetryPolicy = options.policy ?? 'collect';
  const frames: TelemetryEvent[][] = [];
  const beacons: TelemetryEvent[][] = [];
  const timers: (() => void)[] = [];
  const warnings: string[] = [];
  const transport = {
    socketOpen: options.socketOpen ?? true,
    beaconAccepts: options.beaconAccepts ?? true,
    sendFrame(events: TelemetryEvent[]) {
      if (!transport.socketOpen) return false;
      frames.push(events);
      return true;
    },
    sendBeacon(events: TelemetryEvent[]) {
      if (!transport.beaconAccepts) return false;
      beacons.push(events);
      return true;
    },
  };
  const queue = new TelemetryQueue({
    transport,
    policy: () => policy,
    maxQueued: options.maxQueued,
    setTimer: (callback) => timers.push(callback),
    clearTimer: () => {},
    warn: (message) => warnings.push(message),
  });
  const runTimers = () => timers.splice(0).forEach((run) => run());
  return { queue, frames, beacons, transport, runTimers, warnings, setPolicy: (p: TelemetryPolicy) => (policy = p) };
}

describe('telemetry queue', () => {
  it('groups events for a moment, then sends them as one frame', () => {
    const { queue, frames, runTimers } = setup();
    queue.record(paste(1));
    queue.record(paste(2));
    expect(frames).toEqual([]);
    runTimers();
    expect(frames).toEqual([[paste(1), paste(2)]]);
    expect(queue.size).toBe(0);
  });

  it('never puts more than the protocol allows in one frame, and every frame is valid', () => {
    const { queue, frames } = setup();
    for (let i = 0; i < 120; i++) queue.record(paste(i));
    queue.flush();
    expect(frames.map((f) => f.length)).toEqual([TELEMETRY_BATCH_MAX, TELEMETRY_BATCH_MAX, 20]);
    for (const events of frames) expect(telemetryBatchSchema.safeParse({ events }).success).toBe(true);
    expect(frames.flat().map((e) => (e.kind === 'paste' ? e.length : -1))).toEqual([...Array(120).keys()]);
  });

  it('keeps events while the socket is down and sends them when it opens', () => {
    const { queue, frames, transport } = setup({ socketOpen: false });
    queue.record(paste(3));
    queue.flush();
    expect(queue.size).toBe(1);
    transport.socketOpen = true;
    queue.flush();
    expect(frames).toEqual([[paste(3)]]);
  });

  it('flushes by beacon when the page goes away, in batches, keeping what the browser refused', () => {
    const { queue, beacons, transport } = setup({ socketOpen: false });
    for (let i = 0; i < 60; i++) queue.record(paste(i));
    queue.flushWithBeacon();
    expect(beacons.map((b) => b.length)).toEqual([50, 10]);
    expect(queue.size).toBe(0);
    transport.beaconAccepts = false;
    queue.record(paste(1));
    queue.flushWithBeacon();
    expect(queue.size).toBe(1);
  });

  it('records nothing before consent and sends nothing while it is unknown', () => {
    const { queue, frames, beacons, setPolicy } = setup({ policy: 'drop' });
    queue.record(paste(1));
    expect(queue.size).toBe(0);
    setPolicy('hold');
    queue.record(paste(2));
    queue.flush();
    queue.flushWithBeacon();
    expect(frames).toEqual([]);
    expect(beacons).toEqual([]);
    expect(queue.size).toBe(1);
    setPolicy('collect');
    queue.policyChanged();
    queue.flush();
    expect(frames).toEqual([[paste(2)]]);
  });

  it('forgets what it held when consent is declined', () => {
    const { queue, frames, setPolicy, runTimers } = setup({ policy: 'hold' });
    queue.record(paste(1));
    setPolicy('drop');
    queue.policyChanged();
    setPolicy('collect');
    runTimers();
    queue.flush();
    expect(queue.size).toBe(0);
    expect(frames).toEqual([]);
  });

  it('leaves out an event the server would refuse, so it cannot sink its batch', () => {
    const { queue, warnings } = setup();
    queue.record({ kind: 'paste', clientTime: 'yesterday', length: 1 });
    queue.record({ kind: 'paste', clientTime, length: -1 });
    expect(queue.size).toBe(0);
    expect(warnings).toHaveLength(2);
  });

  it('drops the oldest events beyond its bound', () => {
    const { queue, frames, transport } = setup({ socketOpen: false, maxQueued: 3 });
    for (let i = 0; i < 5; i++) queue.record(paste(i));
    expect(queue.size).toBe(3);
    transport.socketOpen = true;
    queue.flush();
    expect(frames).toEqual([[paste(2), paste(3), paste(4)]]);
  });
});
